using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Keyhub.Core.Certificates;
using Keyhub.Core.Identity;
using Keyhub.Core.Keys;
using Keyhub.Core.Seal;
using Keyhub.Core.Storage;
using Keyhub.Core.Vaults;
using E = Keyhub.Core.Errors.Errors;
using R = Keyhub.Core.Ca.WorkloadCaRecords;

namespace Keyhub.Core.Ca;

/// <summary>
/// The deployment's workload CA, behind the <c>Keyhub</c> issuer name: a root whose key never leaves the
/// barrier and an issuing intermediate that can be rotated. It is not the CA of Keyhub's own TLS
/// certificate, so trusting Keyhub does not mean trusting workload certificates. It issues only names on
/// the requesting vault's allow-list (<see cref="CertificateNameRules"/>); callers get certificates,
/// never the keys.
/// </summary>
/// <remarks>
/// After a rotation the previous intermediate's key is deleted: certificates it issued still chain (their
/// chain, returned at issuance, names it, and it stays valid under the root), but the CRL is signed by the
/// current intermediate only. It lists every revoked serial, whichever intermediate issued it, yet a
/// relying party that insists that a CRL's issuer be the certificate's issuer (RFC 5280 §6.3.3) will not
/// apply it to the previous intermediate's certificates — re-issue those whose revocation must be checked.
/// </remarks>
public sealed partial class WorkloadCa(IRecordStore store, SealManager seal, TimeProvider time)
{
    /// <summary>An intermediate this close to its end is replaced before it issues again, so leaves are not cut short.</summary>
    internal static readonly TimeSpan RenewIntermediateBefore = TimeSpan.FromDays(90);

    /// <summary>Creation and rotation on this node go one at a time; against other nodes, insert conflicts decide.</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the root and the first intermediate on first use; afterwards only reads.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken) => await CurrentAsync(cancellationToken);

    /// <summary>
    /// Issues a certificate for <paramref name="subjectPublicKey"/>'s public half, after checking every name
    /// against <paramref name="vault"/>'s allow-list. Returns the leaf and its chain [intermediate, root].
    /// </summary>
    public async Task<(byte[] Leaf, List<byte[]> Chain)> IssueAsync(
        VaultProperties vault, CertificateX509Properties x509, KeyMaterial subjectPublicKey, CancellationToken cancellationToken)
    {
        CertificateNameRules.Check(vault, x509);
        if (x509.ValidityMonths is < 1 or > CertificatePolicyRules.MaxValidityMonths)
        {
            throw E.BadParameter($"validity_months must be from 1 to {CertificatePolicyRules.MaxValidityMonths}.");
        }
        if (subjectPublicKey is not ({ Kty: KeyTypes.Rsa, N: not null, E: not null } or { Kty: KeyTypes.Ec, Crv: not null, X: not null, Y: not null }))
        {
            throw E.BadParameter("The Keyhub issuer certifies RSA and EC keys only.");
        }
        var subject = subjectPublicKey.ToPublic();
        var root = await RootAsync(cancellationToken);
        var (current, issuerKey) = await SigningIntermediateAsync(cancellationToken);
        var material = ToKeyMaterial(issuerKey);
        issuerKey.Dispose();
        try
        {
            using var intermediate = X509CertificateLoader.LoadCertificate(current.Certificate);
            var now = time.GetUtcNow();
            var notBefore = CaCertificates.Max(now - CertificateBuilder.Backdate, intermediate.NotBefore.ToUniversalTime());
            var notAfter = CaCertificates.Min(now.AddMonths(x509.ValidityMonths), intermediate.NotAfter.ToUniversalTime());
            // 126 random bits make a collision practically impossible; the check and the insert make it impossible.
            for (var attempt = 0; attempt < 8; attempt++)
            {
                var serial = CertificateBuilder.NewSerialNumber();
                var key = R.Issued(Convert.ToHexStringLower(serial));
                if (await store.GetAsync(key, cancellationToken) is not null)
                {
                    continue;
                }
                var leaf = CertificateBuilder.Issue(x509, subject, intermediate, material, notBefore, notAfter, serial);
                try
                {
                    await store.WriteAsync([new RecordWrite.Insert(NewRecord(key, new IssuedCertificate(vault.Name, x509.Subject, current.Serial), now, notAfter))], cancellationToken);
                }
                catch (RecordConflictException)
                {
                    continue;
                }
                return (leaf, [current.Certificate, root.Certificate]);
            }
            throw new InvalidOperationException("The workload CA could not draw an unused serial number.");
        }
        finally
        {
            material.Clear();
        }
    }

    /// <summary>The chain relying parties install: [current intermediate, root], DER.</summary>
    public async Task<IReadOnlyList<byte[]>> ChainAsync(CancellationToken cancellationToken)
    {
        var current = await CurrentAsync(cancellationToken);
        var root = await RootAsync(cancellationToken);
        return [current.Certificate, root.Certificate];
    }

    /// <summary>The DER CRL of unexpired revoked leaves, signed by the current intermediate (see <see cref="WorkloadCrl"/>).</summary>
    public async Task<byte[]> CrlAsync(CancellationToken cancellationToken)
    {
        var current = await CurrentAsync(cancellationToken);
        var now = time.GetUtcNow();
        var revoked = new List<(string Serial, DateTimeOffset RevokedAt)>();
        // Revocation time and the leaf's notAfter are the record's clear timestamps: nothing to decrypt here.
        await foreach (var record in store.ListAllAsync(new RecordQuery(SystemVault.Name, R.RevokedKind), cancellationToken))
        {
            if (record.Expires is not { } expires || expires > now)
            {
                revoked.Add((record.Key.Name, record.Created));
            }
        }
        var covered = revoked.Select(r => r.Serial).Order(StringComparer.Ordinal).ToList();
        var cachedRecord = await store.GetAsync(R.Crl, cancellationToken);
        var cached = cachedRecord is null ? null : SealedJson.Decrypt<CachedCrl>(seal.Barrier, cachedRecord);
        if (cached is not null && WorkloadCrl.StillHolds(cached, current.Serial, covered, now))
        {
            return cached.Der;
        }
        var (signing, issuerKey) = await SigningIntermediateAsync(cancellationToken);
        using (issuerKey)
        {
            using var issuer = X509CertificateLoader.LoadCertificate(signing.Certificate);
            var number = WorkloadCrl.NextNumber(cached, now);
            var der = WorkloadCrl.Build(issuer, issuerKey, revoked, number, now);
            await store.WriteAsync([new RecordWrite.Put(NewRecord(R.Crl, new CachedCrl(number, signing.Serial, now, covered, der), now, null))], cancellationToken);
            return der;
        }
    }

    /// <summary>Revokes a leaf this CA issued (hex serial; colons and case ignored). Revoking twice changes nothing.</summary>
    public async Task RevokeAsync(string serialNumberHex, CancellationToken cancellationToken)
    {
        var serial = NormalizeSerial(serialNumberHex);
        var issuedRecord = await store.GetAsync(R.Issued(serial), cancellationToken)
            ?? throw E.NotFound("CertificateNotFound", $"The workload CA has issued no certificate with serial number {serial}.");
        if (await store.GetAsync(R.Revoked(serial), cancellationToken) is not null)
        {
            return;
        }
        var issued = SealedJson.Decrypt<IssuedCertificate>(seal.Barrier, issuedRecord);
        try
        {
            await store.WriteAsync(
                [new RecordWrite.Insert(NewRecord(R.Revoked(serial), new RevokedCertificate(issued.Vault), time.GetUtcNow(), issuedRecord.Expires))],
                cancellationToken);
        }
        catch (RecordConflictException)
        {
            // Revoked concurrently: the first revocation time stands.
        }
    }

    /// <summary>A new intermediate issues from now on; the previous one's key is deleted (see the remarks on this class).</summary>
    public async Task RotateIntermediateAsync(CancellationToken cancellationToken)
    {
        var current = await CurrentAsync(cancellationToken);
        await ReplaceIntermediateAsync(current.Serial, cancellationToken);
    }

    /// <summary>The current intermediate, creating the CA on first use and renewing an intermediate near its end.</summary>
    private async Task<CurrentState> CurrentAsync(CancellationToken cancellationToken)
    {
        var root = await RootAsync(cancellationToken);
        var current = await ReadCurrentAsync(cancellationToken);
        // Near the root's own end a new intermediate could not outlive the old one, so it is not replaced then.
        if (current is null || (current.NotAfter - time.GetUtcNow() < RenewIntermediateBefore && current.NotAfter < root.NotAfter))
        {
            await ReplaceIntermediateAsync(current?.Serial, cancellationToken);
            current = await ReadCurrentAsync(cancellationToken) ?? throw new InvalidOperationException("The workload CA has no intermediate.");
        }
        return current;
    }

    /// <summary>The current intermediate with its key; re-read if another node rotated between the two reads.</summary>
    private async Task<(CurrentState Current, ECDsa Key)> SigningIntermediateAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var current = await CurrentAsync(cancellationToken);
            if (await LoadKeyAsync(R.IntermediateKey(current.Serial), cancellationToken) is { } key)
            {
                return (current, key);
            }
        }
        throw new InvalidOperationException("The workload CA's intermediate key is missing.");
    }

    private async Task<RootState> RootAsync(CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(R.Root, cancellationToken);
        if (record is null)
        {
            await CreateRootAsync(cancellationToken);
            record = await store.GetAsync(R.Root, cancellationToken) ?? throw new InvalidOperationException("The workload CA has no root.");
        }
        return new RootState(SealedJson.Decrypt<RootCertificate>(seal.Barrier, record).Certificate, record.Expires ?? DateTimeOffset.MaxValue);
    }

    private async Task CreateRootAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (await store.GetAsync(R.Root, cancellationToken) is not null)
            {
                return;
            }
            var now = time.GetUtcNow();
            var (certificate, pkcs8) = CaCertificates.CreateRoot(await DeploymentLabelAsync(cancellationToken), now);
            try
            {
                using var parsed = X509CertificateLoader.LoadCertificate(certificate);
                await store.WriteAsync(
                [
                    new RecordWrite.Insert(NewRecord(R.Root, new RootCertificate(certificate), now, parsed.NotAfter.ToUniversalTime())),
                    new RecordWrite.Insert(NewRecord(R.RootKey, new CaKey(pkcs8), now, null)),
                ], cancellationToken);
            }
            catch (RecordConflictException)
            {
                // Another node created the root first; its root is the deployment's.
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Makes a new intermediate current unless the current one is no longer <paramref name="expected"/>
    /// (someone replaced it meanwhile), and deletes every other intermediate key.
    /// </summary>
    private async Task ReplaceIntermediateAsync(string? expected, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var current = await ReadCurrentAsync(cancellationToken);
            if (current?.Serial != expected)
            {
                return;
            }
            var root = await store.GetAsync(R.Root, cancellationToken) ?? throw new InvalidOperationException("The workload CA has no root.");
            using var rootKey = await LoadKeyAsync(R.RootKey, cancellationToken) ?? throw new InvalidOperationException("The workload CA's root key is missing.");
            using var rootCertificate = X509CertificateLoader.LoadCertificate(SealedJson.Decrypt<RootCertificate>(seal.Barrier, root).Certificate);
            var generation = (current?.Generation ?? 0) + 1;
            var now = time.GetUtcNow();
            var (certificate, serialBytes, pkcs8) = CaCertificates.CreateIntermediate(rootCertificate, rootKey, await DeploymentLabelAsync(cancellationToken), generation, now);
            try
            {
                using var parsed = X509CertificateLoader.LoadCertificate(certificate);
                var serial = Convert.ToHexStringLower(serialBytes);
                var pointer = NewRecord(R.Current, new CurrentIntermediate(serial, generation), now, null);
                var writes = new List<RecordWrite>
                {
                    new RecordWrite.Insert(NewRecord(R.Intermediate(serial), new IntermediateCertificate(certificate, generation), now, parsed.NotAfter.ToUniversalTime())),
                    new RecordWrite.Insert(NewRecord(R.IntermediateKey(serial), new CaKey(pkcs8), now, null)),
                    current is null ? new RecordWrite.Insert(pointer) : new RecordWrite.Put(pointer),
                };
                await foreach (var record in store.ListAllAsync(new RecordQuery(SystemVault.Name, R.Kind), cancellationToken))
                {
                    if (IntermediateKeyName().IsMatch(record.Key.Name))
                    {
                        writes.Add(new RecordWrite.Remove(record.Key));
                    }
                }
                await store.WriteAsync(writes, cancellationToken);
                if (current is not null)
                {
                    // The retired key is gone from the database files too, not only from the live rows.
                    await store.CompactAsync(cancellationToken);
                }
            }
            catch (RecordConflictException) when (current is null)
            {
                // Another node made the first intermediate; it is the current one.
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<CurrentState?> ReadCurrentAsync(CancellationToken cancellationToken)
    {
        var pointerRecord = await store.GetAsync(R.Current, cancellationToken);
        if (pointerRecord is null)
        {
            return null;
        }
        var pointer = SealedJson.Decrypt<CurrentIntermediate>(seal.Barrier, pointerRecord);
        var record = await store.GetAsync(R.Intermediate(pointer.Serial), cancellationToken)
            ?? throw new InvalidOperationException("The workload CA's current intermediate is missing.");
        var certificate = SealedJson.Decrypt<IntermediateCertificate>(seal.Barrier, record);
        return new CurrentState(pointer.Serial, certificate.Certificate, pointer.Generation, record.Expires ?? DateTimeOffset.MaxValue);
    }

    private async Task<ECDsa?> LoadKeyAsync(RecordKey key, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(key, cancellationToken);
        if (record is null)
        {
            return null;
        }
        var stored = SealedJson.Decrypt<CaKey>(seal.Barrier, record);
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportPkcs8PrivateKey(stored.Pkcs8, out _);
            return ecdsa;
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(stored.Pkcs8);
        }
    }

    /// <summary>The root's name carries the tenant id, so two deployments' roots are told apart at a glance.</summary>
    private async Task<string> DeploymentLabelAsync(CancellationToken cancellationToken) =>
        (await new DeploymentStore(store, seal, time).GetAsync(cancellationToken))?.TenantId
        ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private StoredRecord NewRecord<T>(RecordKey key, T payload, DateTimeOffset now, DateTimeOffset? expires) => new()
    {
        Key = key,
        Created = now,
        Updated = now,
        Expires = expires,
        Payload = SealedJson.Encrypt(seal.Barrier, key, payload),
    };

    /// <summary>The intermediate's key as the JWK-shaped material <see cref="CertificateBuilder"/> signs with; the caller clears it.</summary>
    private static KeyMaterial ToKeyMaterial(ECDsa key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: true);
        return new KeyMaterial
        {
            Kty = KeyTypes.Ec,
            Crv = parameters.Curve.Oid.Value == "1.3.132.0.34" ? Curves.P384 : Curves.P256,
            X = parameters.Q.X,
            Y = parameters.Q.Y,
            D = parameters.D,
        };
    }

    private static string NormalizeSerial(string? text)
    {
        var hex = (text ?? "").Trim().Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
        if (hex.StartsWith("0x", StringComparison.Ordinal))
        {
            hex = hex[2..];
        }
        if (!SerialHex().IsMatch(hex))
        {
            throw E.BadParameter("A serial number is 1-40 hexadecimal digits (colons allowed).");
        }
        return hex.Length % 2 == 1 ? "0" + hex : hex;
    }

    [GeneratedRegex(@"^[0-9a-f]{1,40}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SerialHex();

    [GeneratedRegex(@"^intermediate-[0-9a-f]+-key\z", RegexOptions.CultureInvariant)]
    private static partial Regex IntermediateKeyName();

    private sealed record RootState(byte[] Certificate, DateTimeOffset NotAfter);

    private sealed record CurrentState(string Serial, byte[] Certificate, int Generation, DateTimeOffset NotAfter);
}
