using System.Security.Cryptography.X509Certificates;
using Keyhub.Core.Seal;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Identity;

/// <summary>Service principals, stored encrypted in the system vault under their client id.</summary>
public sealed class PrincipalStore(IRecordStore store, SealManager seal, TimeProvider time)
{
    private const string Kind = "principal";

    /// <summary>Changes after every committed change to a principal (see <see cref="IRecordStore.ChangeStamp"/>).</summary>
    public long ChangeStamp => store.ChangeStamp(SystemVault.Name, Kind);

    /// <summary>Creates a principal with one fresh client secret; the plaintext secret is returned once and never stored.</summary>
    public async Task<(ServicePrincipal Principal, string ClientSecret)> AddAsync(string displayName, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(displayName) || displayName.Length > 256)
        {
            throw Errors.Errors.BadParameter("A principal's display name is 1-256 characters.");
        }
        var now = time.GetUtcNow();
        var secret = ClientSecretHasher.NewSecret();
        var principal = new ServicePrincipal
        {
            ObjectId = Guid.NewGuid().ToString(),
            ClientId = Guid.NewGuid().ToString(),
            DisplayName = displayName,
            Secrets = [new ClientSecretCredentialRecord(Guid.NewGuid().ToString(), ClientSecretHasher.Hash(secret), now, null)],
        };
        var key = KeyOf(principal.ClientId);
        await store.WriteAsync(
            [new RecordWrite.Insert(new StoredRecord { Key = key, Created = now, Updated = now, Payload = SealedJson.Encrypt(seal.Barrier, key, principal) })],
            cancellationToken);
        return (principal, secret);
    }

    /// <summary>
    /// Creates or brings in line a principal declared in configuration: its display name, enabled flag
    /// and its one secret (given as a hash). The object id is kept once created.
    /// </summary>
    public async Task<ServicePrincipal> UpsertDeclaredAsync(string clientId, string displayName, string secretHash, bool enabled, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(clientId, out var parsed) || !ClientSecretHasher.IsWellFormedHash(secretHash))
        {
            throw Errors.Errors.BadParameter("A declared principal needs a GUID client id and a secret hash from 'keyhub principal hash-secret'.");
        }
        clientId = parsed.ToString();
        var key = KeyOf(clientId);
        var now = time.GetUtcNow();
        var record = await store.GetAsync(key, cancellationToken);
        var existing = record is null ? null : SealedJson.Decrypt<ServicePrincipal>(seal.Barrier, record);
        var principal = new ServicePrincipal
        {
            ObjectId = existing?.ObjectId ?? Guid.NewGuid().ToString(),
            ClientId = clientId,
            DisplayName = displayName,
            Enabled = enabled,
            Secrets = existing?.Secrets.Count == 1 && existing.Secrets[0].Hash == secretHash
                ? existing.Secrets
                : [new ClientSecretCredentialRecord(Guid.NewGuid().ToString(), secretHash, now, null)],
        };
        await store.WriteAsync(
            [new RecordWrite.Put(new StoredRecord
            {
                Key = key,
                Created = record?.Created ?? now,
                Updated = now,
                Enabled = enabled,
                Payload = SealedJson.Encrypt(seal.Barrier, key, principal),
            })],
            cancellationToken);
        return principal;
    }

    public async Task<ServicePrincipal?> GetByClientIdAsync(string clientId, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(clientId, out var parsed))
        {
            return null;
        }
        var record = await store.GetAsync(KeyOf(parsed.ToString()), cancellationToken);
        return record is null ? null : SealedJson.Decrypt<ServicePrincipal>(seal.Barrier, record);
    }

    public async Task<IReadOnlyList<ServicePrincipal>> ListAsync(CancellationToken cancellationToken)
    {
        var result = new List<ServicePrincipal>();
        await foreach (var record in store.ListAllAsync(new RecordQuery(SystemVault.Name, Kind), cancellationToken))
        {
            result.Add(SealedJson.Decrypt<ServicePrincipal>(seal.Barrier, record));
        }
        return result;
    }

    public Task<ServicePrincipal> SetEnabledAsync(string clientId, bool enabled, CancellationToken cancellationToken) =>
        UpdateAsync(clientId, p => p with { Enabled = enabled }, cancellationToken);

    /// <summary>Adds one more client secret (shown once) that stops working at <paramref name="expires"/>.</summary>
    public async Task<(ClientSecretCredentialRecord Credential, string ClientSecret)> AddSecretAsync(string clientId, DateTimeOffset? expires, CancellationToken cancellationToken)
    {
        var secret = ClientSecretHasher.NewSecret();
        var credential = new ClientSecretCredentialRecord(Guid.NewGuid().ToString(), ClientSecretHasher.Hash(secret), time.GetUtcNow(), expires);
        await UpdateAsync(clientId, p => p with { Secrets = [.. p.Secrets, credential] }, cancellationToken);
        return (credential, secret);
    }

    public Task<ServicePrincipal> RemoveSecretAsync(string clientId, string secretId, CancellationToken cancellationToken) =>
        UpdateAsync(clientId, p => p.Secrets.Any(s => s.Id == secretId)
            ? p with { Secrets = p.Secrets.Where(s => s.Id != secretId).ToList() }
            : throw Errors.Errors.NotFound("SecretNotFound", $"Principal {clientId} has no client secret with id {secretId}."), cancellationToken);

    /// <summary>Replaces every client secret with one new one (used when dev credentials are lost).</summary>
    public async Task<string> ResetSecretAsync(string clientId, CancellationToken cancellationToken)
    {
        var secret = ClientSecretHasher.NewSecret();
        var now = time.GetUtcNow();
        await UpdateAsync(
            clientId,
            p => p with { Secrets = [new ClientSecretCredentialRecord(Guid.NewGuid().ToString(), ClientSecretHasher.Hash(secret), now, null)] },
            cancellationToken);
        return secret;
    }

    /// <summary>The enabled principal whose unexpired secret matches, or null. Every stored hash is checked.</summary>
    public async Task<ServicePrincipal?> AuthenticateAsync(string clientId, string clientSecret, CancellationToken cancellationToken)
    {
        var principal = await GetByClientIdAsync(clientId, cancellationToken);
        if (principal is null || !principal.Enabled)
        {
            return null;
        }
        var now = time.GetUtcNow();
        var match = false;
        foreach (var credential in principal.Secrets)
        {
            match |= ClientSecretHasher.Verify(clientSecret, credential.Hash) && (credential.Expires is null || credential.Expires > now);
        }
        return match ? principal : null;
    }

    /// <summary>Registers a certificate (public part) for client assertions; the private key never comes here.</summary>
    public async Task<ClientCertificateRecord> AddCertificateAsync(string clientId, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        if (certificate.GetRSAPublicKey() is not { } rsa || rsa.KeySize < 2048)
        {
            throw Errors.Errors.BadParameter("A client certificate needs an RSA key of at least 2048 bits (assertions are PS256 or RS256).");
        }
        rsa.Dispose();
        var der = certificate.RawData;
        var record = new ClientCertificateRecord(
            Guid.NewGuid().ToString(),
            System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.SHA256.HashData(der)),
            der,
            certificate.NotBefore.ToUniversalTime(),
            certificate.NotAfter.ToUniversalTime());
        await UpdateAsync(clientId, p => p.Certificates.Any(c => c.ThumbprintSha256 == record.ThumbprintSha256)
            ? throw Errors.Errors.Conflict("This certificate is already registered for the principal.")
            : p with { Certificates = [.. p.Certificates, record] }, cancellationToken);
        return record;
    }

    /// <summary>A new workload credential (the managed-identity header value), shown once: <c>kh1.&lt;clientId&gt;.&lt;secret&gt;</c>.</summary>
    public async Task<(string Id, string HeaderValue)> AddWorkloadCredentialAsync(string clientId, CancellationToken cancellationToken)
    {
        var secret = ClientSecretHasher.NewSecret();
        var record = new ClientSecretCredentialRecord(Guid.NewGuid().ToString(), ClientSecretHasher.Hash(secret), time.GetUtcNow(), null);
        var principal = await UpdateAsync(clientId, p => p with { WorkloadCredentials = [.. p.WorkloadCredentials, record] }, cancellationToken);
        return (record.Id, $"kh1.{principal.ClientId}.{secret}");
    }

    /// <summary>The enabled principal a workload credential belongs to, or null. Client secrets are not workload credentials.</summary>
    public async Task<ServicePrincipal?> AuthenticateWorkloadAsync(string headerValue, CancellationToken cancellationToken)
    {
        var parts = headerValue.Split('.', 3);
        if (parts.Length != 3 || parts[0] != "kh1")
        {
            return null;
        }
        var principal = await GetByClientIdAsync(parts[1], cancellationToken);
        if (principal is null || !principal.Enabled)
        {
            return null;
        }
        var match = false;
        foreach (var credential in principal.WorkloadCredentials)
        {
            match |= ClientSecretHasher.Verify(parts[2], credential.Hash);
        }
        return match ? principal : null;
    }

    private async Task<ServicePrincipal> UpdateAsync(string clientId, Func<ServicePrincipal, ServicePrincipal> change, CancellationToken cancellationToken)
    {
        var key = KeyOf(Guid.TryParse(clientId, out var parsed) ? parsed.ToString() : clientId);
        var record = await store.GetAsync(key, cancellationToken)
            ?? throw Errors.Errors.NotFound("PrincipalNotFound", $"No service principal has client id {clientId}.");
        var updated = change(SealedJson.Decrypt<ServicePrincipal>(seal.Barrier, record));
        await store.WriteAsync(
            [new RecordWrite.Put(record with { Updated = time.GetUtcNow(), Enabled = updated.Enabled, Payload = SealedJson.Encrypt(seal.Barrier, key, updated) })],
            cancellationToken);
        return updated;
    }

    private static RecordKey KeyOf(string clientId) => new(SystemVault.Name, Kind, clientId, "");
}
