using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Keyhub.Core.Ca;
using Keyhub.Core.Keys;
using Keyhub.Core.Objects;
using Keyhub.Core.Seal;
using Keyhub.Core.Secrets;
using Keyhub.Core.Storage;
using Keyhub.Core.Vaults;
using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Certificates;

/// <summary>
/// Certificates: policies, issuance (self-signed, by the workload CA, or a CSR completed by merge),
/// import, the shared versioned lifecycle, issuers, contacts and renewal by lifetime action. Every
/// version also writes a managed key and a managed secret of the same name and version id, as Azure
/// does, so the certificate's key signs and decrypts through the keys API and its secret downloads.
/// </summary>
/// <remarks>
/// The three objects are written one after the other (key, secret, then the certificate, which makes
/// the version visible): a crash in between leaves at most an unreferenced managed key or secret
/// version, never a certificate without its key.
/// </remarks>
public sealed class CertificateEngine(IRecordStore store, SealManager seal, TimeProvider time, KeyEngine keys, SecretEngine secrets, WorkloadCa ca)
{
    internal const string PolicyKind = "certificate-policy";
    internal const string OperationKind = "certificate-operation";
    internal const string EventKind = "certificate-event";
    public const string IssuerKind = "certificate-issuer";
    public const string ContactsKind = "certificate-contacts";
    private const int BackupFormat = 1;

    /// <summary>How long a failed renewal waits before the lifetime action tries again.</summary>
    internal static readonly TimeSpan RenewalRetryInterval = TimeSpan.FromHours(1);
    private static readonly byte[] s_backupAssociatedData = "keyhub/backup/certificate-bundle/v1"u8.ToArray();

    private readonly VersionedObjectStore<CertificateVersionPayload> _objects = new(store, seal, time, ObjectKind.Certificate);

    // One issuance at a time per process keeps "no operation in progress, then start one" atomic.
    private readonly SemaphoreSlim _issueGate = new(1, 1);

    private ObjectKind Kind => ObjectKind.Certificate;

    public async Task<CertificateOperation> CreateAsync(VaultProperties vault, string name, NewCertificate request, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, "certificate");
        SecretValidation.ValidateProperties(null, request.Tags);
        var policy = CertificatePolicyRules.Apply(request.Policy, null, time.GetUtcNow());
        await _issueGate.WaitAsync(cancellationToken);
        try
        {
            await RefuseIssuanceAsync(vault, name, cancellationToken);
            // The policy is stored once the issuer has taken the request: a create refused by the issuer (an
            // unknown issuer name, a name outside the workload CA's allow-list) leaves the stored policy as it was.
            var operation = await IssueAsync(vault, name, policy, request.Tags, request.Enabled ?? true, reuseFrom: null, cancellationToken);
            await WritePolicyAsync(vault, name, policy, cancellationToken);
            return operation;
        }
        finally
        {
            _issueGate.Release();
        }
    }

    public async Task<CertificateVersion> ImportAsync(VaultProperties vault, string name, CertificateImport request, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, "certificate");
        SecretValidation.ValidateProperties(null, request.Tags);
        var parsed = CertificateFormats.Parse(request.Value, request.Password);
        try
        {
            var derived = DerivePolicy(parsed, request.Value);
            var policy = CertificatePolicyRules.Apply(request.Policy, derived, time.GetUtcNow());
            if (policy.Key.Kty != parsed.Key.Kty)
            {
                throw E.BadParameter($"The policy's key type {policy.Key.Kty} does not match the imported key ({parsed.Key.Kty}).");
            }
            await _issueGate.WaitAsync(cancellationToken);
            try
            {
                await RefuseIssuanceAsync(vault, name, cancellationToken);
                await WritePolicyAsync(vault, name, policy, cancellationToken);
                var version = await AddVersionAsync(vault, name, policy, parsed.Leaf, parsed.Chain, parsed.Key, request.Tags, request.Enabled ?? true, cancellationToken);
                return version with { Policy = policy };
            }
            finally
            {
                _issueGate.Release();
            }
        }
        finally
        {
            parsed.Key.Clear();
        }
    }

    /// <summary>A version (latest when empty); the latest carries the policy.</summary>
    public async Task<CertificateVersion> GetAsync(VaultProperties vault, string name, string? version, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, "certificate");
        var operation = await ReadOperationAsync(vault, name, cancellationToken);
        if (string.IsNullOrEmpty(version) && await IsPlaceholderAsync(vault, name, operation, cancellationToken))
        {
            // The first version is still with its issuer: Azure answers with a disabled, empty version.
            var policy = await ReadPolicyAsync(vault, name, cancellationToken) ?? throw Kind.NotFound(name);
            return Placeholder(name, operation!) with { Policy = policy };
        }
        var found = ToCertificate(await _objects.GetAsync(vault, name, version, cancellationToken));
        return string.IsNullOrEmpty(version)
            ? found with { Policy = await ReadPolicyAsync(vault, name, cancellationToken), HasOperation = operation is not null }
            : found;
    }

    public async Task<CertificateVersion> UpdateAsync(VaultProperties vault, string name, string? version, CertificateUpdate update, CancellationToken cancellationToken)
    {
        SecretValidation.ValidateProperties(null, update.Tags);
        CertificatePolicy? policy = null;
        if (update.Policy is not null)
        {
            policy = await UpdatePolicyAsync(vault, name, update.Policy, cancellationToken);
        }
        var updated = await _objects.UpdateAsync(vault, name, version, current =>
        {
            var payload = current.Payload with { Tags = update.Tags?.ToDictionary() ?? current.Payload.Tags };
            return new VersionChange<CertificateVersionPayload>(payload, update.Enabled ?? current.Enabled, current.Expires);
        }, cancellationToken);
        // The managed key and secret follow the certificate's enabled flag and tags.
        await keys.UpdateManagedAsync(vault, name, updated.Version, new KeyPropertiesUpdate { Enabled = update.Enabled, Tags = update.Tags }, cancellationToken);
        await secrets.UpdateManagedAsync(vault, name, updated.Version, new SecretPropertiesUpdate { Enabled = update.Enabled, Tags = update.Tags }, cancellationToken);
        var result = ToCertificate(updated);
        return string.IsNullOrEmpty(version)
            ? result with { Policy = policy ?? await ReadPolicyAsync(vault, name, cancellationToken) }
            : result;
    }

    /// <summary>
    /// The live certificates by name; with <paramref name="includePending"/> also those whose first version is
    /// still with its issuer (a disabled placeholder, as GET shows them), merged in by name within the page.
    /// </summary>
    public async Task<Page<CertificateVersion>> ListAsync(VaultProperties vault, string? after, int limit, bool includePending, CancellationToken cancellationToken)
    {
        var page = Map(await _objects.ListAsync(vault, after, limit, cancellationToken), ToCertificate);
        if (!includePending)
        {
            return page;
        }
        var items = page.Items.Select(c => (Key: Names.Normalize(c.Name), Item: c)).ToList();
        await foreach (var record in store.ListAllAsync(new RecordQuery(vault.Name, OperationKind) { After = after }, cancellationToken))
        {
            if (page.ContinueAfter is { } end && string.CompareOrdinal(record.Key.Name, end) > 0)
            {
                break;
            }
            var operation = SealedJson.Decrypt<CertificateOperationRecord>(seal.Barrier, record);
            if (await IsPlaceholderAsync(vault, record.Key.Name, operation, cancellationToken))
            {
                operation.PendingKey?.Clear();
                items.Add((record.Key.Name, Placeholder(operation.Name ?? record.Key.Name, operation)));
            }
        }
        return new Page<CertificateVersion>(items.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => i.Item).ToList(), page.ContinueAfter);
    }

    public async Task<Page<CertificateVersion>> ListVersionsAsync(VaultProperties vault, string name, string? after, int limit, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, "certificate");
        if (await IsPlaceholderAsync(vault, name, await ReadOperationAsync(vault, name, cancellationToken), cancellationToken))
        {
            return new Page<CertificateVersion>([], null); // the first version is still with its issuer
        }
        return Map(await _objects.ListVersionsAsync(vault, name, after, limit, cancellationToken), ToCertificate);
    }

    public async Task<CertificatePolicy> GetPolicyAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        await EnsureExistsAsync(vault, name, cancellationToken);
        return await ReadPolicyAsync(vault, name, cancellationToken) ?? throw Kind.NotFound(name);
    }

    /// <summary>PATCH semantics: members given replace, the others stay (JS sends empty objects for "unchanged").</summary>
    public async Task<CertificatePolicy> UpdatePolicyAsync(VaultProperties vault, string name, CertificatePolicyUpdate update, CancellationToken cancellationToken)
    {
        await EnsureExistsAsync(vault, name, cancellationToken);
        var current = await ReadPolicyAsync(vault, name, cancellationToken) ?? throw Kind.NotFound(name);
        var policy = CertificatePolicyRules.Apply(update, current, time.GetUtcNow());
        await WritePolicyAsync(vault, name, policy, cancellationToken);
        return policy;
    }

    public async Task<CertificateOperation> GetOperationAsync(VaultProperties vault, string name, string? requestId, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, "certificate");
        var operation = await ReadOperationAsync(vault, name, cancellationToken);
        if (operation is null || (requestId is not null && !string.Equals(requestId, operation.RequestId, StringComparison.OrdinalIgnoreCase)))
        {
            throw PendingNotFound(name);
        }
        // A deleted certificate's operation stays for recovery, but is not served while the certificate is deleted.
        if (await _objects.IsDeletedAsync(vault, name, cancellationToken))
        {
            throw PendingNotFound(name);
        }
        return ToOperation(name, operation);
    }

    public async Task<CertificateOperation> CancelOperationAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        await _issueGate.WaitAsync(cancellationToken);
        try
        {
            var operation = await ReadOperationAsync(vault, name, cancellationToken) ?? throw PendingNotFound(name);
            if (operation.Status != CertificateOperation.InProgress)
            {
                throw E.BadParameter($"The operation of certificate {name} is {operation.Status}; only an operation in progress can be cancelled.");
            }
            var cancelled = operation with { Status = CertificateOperation.Cancelled, CancellationRequested = true, StatusDetails = null, PendingKey = null };
            operation.PendingKey?.Clear();
            await WriteOperationAsync(vault, name, cancelled, cancellationToken);
            return ToOperation(name, cancelled);
        }
        finally
        {
            _issueGate.Release();
        }
    }

    public async Task<CertificateOperation> DeleteOperationAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        await _issueGate.WaitAsync(cancellationToken);
        try
        {
            var operation = await ReadOperationAsync(vault, name, cancellationToken) ?? throw PendingNotFound(name);
            operation.PendingKey?.Clear();
            await store.WriteAsync([new RecordWrite.Remove(OperationKey(vault, name))], cancellationToken);
            return ToOperation(name, operation);
        }
        finally
        {
            _issueGate.Release();
        }
    }

    /// <summary>Completes a CSR (Unknown issuer) with the certificate an outside CA signed: <paramref name="x509Chain"/> is leaf first.</summary>
    public async Task<CertificateVersion> MergeAsync(
        VaultProperties vault, string name, IReadOnlyList<byte[]> x509Chain, IReadOnlyDictionary<string, string>? tags, bool? enabled, CancellationToken cancellationToken)
    {
        SecretValidation.ValidateProperties(null, tags);
        if (x509Chain.Count is 0 or > 10)
        {
            throw E.BadParameter("x5c must hold the signed certificate (and at most 9 chain certificates).");
        }
        foreach (var der in x509Chain)
        {
            try
            {
                using var _ = X509CertificateLoader.LoadCertificate(der);
            }
            catch (CryptographicException)
            {
                throw E.BadParameter("An x5c entry is not a DER X.509 certificate.");
            }
        }
        await _issueGate.WaitAsync(cancellationToken);
        try
        {
            var operation = await ReadOperationAsync(vault, name, cancellationToken) ?? throw PendingNotFound(name);
            if (operation.Status != CertificateOperation.InProgress || operation.PendingKey is null)
            {
                throw E.Forbidden($"The operation of certificate {name} is {operation.Status}; nothing waits for a merge.");
            }
            if (operation.IssuerName != CertificateIssuers.Unknown)
            {
                throw E.Forbidden($"Merge is forbidden on pending object created with issuer : {operation.IssuerName} while it is in progess.");
            }
            var key = operation.PendingKey;
            try
            {
                if (!CertificateFormats.PublicKeysMatch(x509Chain[0], key))
                {
                    throw E.BadParameter("Public key from x509 certificate and key of this instance doesn't match");
                }
                var policy = await ReadPolicyAsync(vault, name, cancellationToken) ?? throw Kind.NotFound(name);
                var version = await AddVersionAsync(vault, name, policy, x509Chain[0], [.. x509Chain.Skip(1)], key,
                    tags ?? operation.Tags, enabled ?? operation.Enabled, cancellationToken);
                await WriteOperationAsync(vault, name, Completed(operation), cancellationToken);
                return version with { Policy = policy, HasOperation = true };
            }
            finally
            {
                key.Clear();
            }
        }
        finally
        {
            _issueGate.Release();
        }
    }

    public async Task<DeletedCertificate> DeleteAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        var deleted = await _objects.DeleteAsync(vault, name, cancellationToken);
        await IgnoreMissingAsync(() => keys.DeleteManagedAsync(vault, name, cancellationToken));
        await IgnoreMissingAsync(() => secrets.DeleteManagedAsync(vault, name, cancellationToken));
        return await ToDeletedAsync(vault, deleted, cancellationToken);
    }

    public async Task<DeletedCertificate> GetDeletedAsync(VaultProperties vault, string name, CancellationToken cancellationToken) =>
        await ToDeletedAsync(vault, await _objects.GetDeletedAsync(vault, name, cancellationToken), cancellationToken);

    public async Task<Page<DeletedCertificate>> ListDeletedAsync(VaultProperties vault, string? after, int limit, CancellationToken cancellationToken)
    {
        var page = await _objects.ListDeletedAsync(vault, after, limit, cancellationToken);
        return new Page<DeletedCertificate>(page.Items.Select(d => new DeletedCertificate(ToCertificate(d.Latest), d.DeletedDate, d.ScheduledPurgeDate)).ToList(), page.ContinueAfter);
    }

    public async Task<CertificateVersion> RecoverAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        var recovered = ToCertificate(await _objects.RecoverAsync(vault, name, cancellationToken));
        await IgnoreMissingAsync(() => keys.RecoverManagedAsync(vault, name, cancellationToken));
        await IgnoreMissingAsync(() => secrets.RecoverManagedAsync(vault, name, cancellationToken));
        return recovered with { Policy = await ReadPolicyAsync(vault, name, cancellationToken) };
    }

    public async Task PurgeAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        await _objects.PurgeAsync(vault, name, cancellationToken);
        await IgnoreMissingAsync(() => keys.PurgeManagedAsync(vault, name, cancellationToken));
        await IgnoreMissingAsync(() => secrets.PurgeManagedAsync(vault, name, cancellationToken));
        // The policy, the operation (with any key waiting for a merge) and the events go with it: a purged
        // name reads as never used, and a later create or restore starts afresh.
        var removals = new List<RecordWrite> { new RecordWrite.Remove(PolicyKey(vault, name)), new RecordWrite.Remove(OperationKey(vault, name)) };
        await foreach (var record in store.ListAllAsync(new RecordQuery(vault.Name, EventKind) { Name = Names.Normalize(name) }, cancellationToken))
        {
            removals.Add(new RecordWrite.Remove(record.Key));
        }
        await store.WriteAsync(removals, cancellationToken);
    }

    /// <summary>Purges deleted certificates whose retention has ended (their keys and secrets go with the key and secret purges).</summary>
    public Task<int> PurgeExpiredAsync(CancellationToken cancellationToken) => _objects.PurgeExpiredAsync(cancellationToken);

    /// <summary>One blob with the certificate, its key, its secret and its policy, sealed by the barrier.</summary>
    public async Task<byte[]> BackupAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        var certificate = await _objects.BackupAsync(vault, name, cancellationToken);
        var bundle = new CertificateBackup(
            BackupFormat,
            certificate,
            await keys.BackupManagedAsync(vault, name, cancellationToken),
            await secrets.BackupManagedAsync(vault, name, cancellationToken),
            await ReadPolicyAsync(vault, name, cancellationToken) ?? throw Kind.NotFound(name));
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(bundle);
        try
        {
            return seal.Barrier.Encrypt(plaintext, s_backupAssociatedData);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public async Task<CertificateVersion> RestoreAsync(VaultProperties vault, byte[] blob, CancellationToken cancellationToken)
    {
        CertificateBackup bundle;
        byte[]? plaintext = null;
        try
        {
            plaintext = seal.Barrier.Decrypt(blob, s_backupAssociatedData);
            bundle = JsonSerializer.Deserialize<CertificateBackup>(plaintext) ?? throw new JsonException();
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException or Barrier.BarrierException or ArgumentException)
        {
            throw E.BadParameter("The backup blob is malformed or was not made by this deployment.");
        }
        finally
        {
            if (plaintext is not null)
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }
        if (bundle.Format != BackupFormat)
        {
            throw E.BadParameter("The backup blob's format is not supported.");
        }
        // The certificate first: it refuses a name in use (409) before anything is written for the key or secret.
        var restored = await _objects.RestoreAsync(vault, bundle.Certificate, _ => { }, cancellationToken);
        await keys.RestoreManagedAsync(vault, bundle.Key, cancellationToken);
        await secrets.RestoreManagedAsync(vault, bundle.Secret, cancellationToken);
        await WritePolicyAsync(vault, restored.Name, bundle.Policy, cancellationToken);
        return ToCertificate(restored) with { Policy = bundle.Policy };
    }

    // ---- issuers and contacts ----

    public async Task<CertificateIssuer> SetIssuerAsync(VaultProperties vault, CertificateIssuer issuer, CancellationToken cancellationToken)
    {
        ValidateIssuer(issuer);
        var key = IssuerKey(vault, issuer.Name);
        var existing = await store.GetAsync(key, cancellationToken);
        var now = time.GetUtcNow();
        var stored = issuer with { Created = existing?.Created ?? now, Updated = now };
        await store.WriteAsync(
            [new RecordWrite.Put(new StoredRecord { Key = key, Created = stored.Created, Updated = now, Payload = SealedJson.Encrypt(seal.Barrier, key, stored) })],
            cancellationToken);
        return stored;
    }

    public async Task<CertificateIssuer> UpdateIssuerAsync(VaultProperties vault, string name, Func<CertificateIssuer, CertificateIssuer> change, CancellationToken cancellationToken)
    {
        var current = await GetIssuerAsync(vault, name, cancellationToken);
        return await SetIssuerAsync(vault, change(current) with { Name = current.Name }, cancellationToken);
    }

    public async Task<CertificateIssuer> GetIssuerAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        if (CertificateIssuers.IsReserved(name) || name.Length is 0 or > 127)
        {
            throw IssuerNotFound();
        }
        var record = await store.GetAsync(IssuerKey(vault, name), cancellationToken) ?? throw IssuerNotFound();
        return SealedJson.Decrypt<CertificateIssuer>(seal.Barrier, record);
    }

    public async Task<CertificateIssuer> DeleteIssuerAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        var issuer = await GetIssuerAsync(vault, name, cancellationToken);
        await store.WriteAsync([new RecordWrite.Remove(IssuerKey(vault, name))], cancellationToken);
        return issuer;
    }

    public async Task<Page<CertificateIssuer>> ListIssuersAsync(VaultProperties vault, string? after, int limit, CancellationToken cancellationToken)
    {
        var records = await store.ListAsync(new RecordQuery(vault.Name, IssuerKind) { After = after, Limit = limit + 1 }, cancellationToken);
        var items = records.Take(limit).Select(r => SealedJson.Decrypt<CertificateIssuer>(seal.Barrier, r)).ToList();
        return new Page<CertificateIssuer>(items, records.Count > limit ? records[limit - 1].Key.Name : null);
    }

    public async Task<IReadOnlyList<CertificateContact>> SetContactsAsync(VaultProperties vault, IReadOnlyList<CertificateContact> contacts, CancellationToken cancellationToken)
    {
        if (contacts.Count > 50)
        {
            throw E.BadParameter("A vault takes at most 50 certificate contacts.");
        }
        foreach (var contact in contacts)
        {
            if (contact.Email is null && contact.Name is null && contact.Phone is null)
            {
                throw E.BadParameter("A contact needs an email, a name or a phone number.");
            }
            if ((contact.Email?.Length ?? 0) > 254 || (contact.Name?.Length ?? 0) > 256 || (contact.Phone?.Length ?? 0) > 64)
            {
                throw E.BadParameter("A contact's email, name or phone is too long.");
            }
        }
        var key = ContactsKey(vault);
        var now = time.GetUtcNow();
        var list = contacts.ToList();
        await store.WriteAsync(
            [new RecordWrite.Put(new StoredRecord { Key = key, Created = now, Updated = now, Payload = SealedJson.Encrypt(seal.Barrier, key, list) })],
            cancellationToken);
        return list;
    }

    public async Task<IReadOnlyList<CertificateContact>> GetContactsAsync(VaultProperties vault, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(ContactsKey(vault), cancellationToken) ?? throw E.NotFound("ContactsNotFound", "Contacts not found");
        return SealedJson.Decrypt<List<CertificateContact>>(seal.Barrier, record);
    }

    public async Task<IReadOnlyList<CertificateContact>> DeleteContactsAsync(VaultProperties vault, CancellationToken cancellationToken)
    {
        var contacts = await GetContactsAsync(vault, cancellationToken);
        await store.WriteAsync([new RecordWrite.Remove(ContactsKey(vault))], cancellationToken);
        return contacts;
    }

    // ---- lifetime actions ----

    /// <summary>
    /// Runs every certificate's lifetime action that has fallen due: AutoRenew issues a new version (a new
    /// key unless <c>reuse_key</c>), EmailContacts records an event once per version. Returns how many
    /// certificates were renewed.
    /// </summary>
    public async Task<int> ApplyLifetimeActionsAsync(IEnumerable<VaultProperties> vaults, CancellationToken cancellationToken)
    {
        var renewed = 0;
        foreach (var vault in vaults)
        {
            await foreach (var record in store.ListAllAsync(new RecordQuery(vault.Name, PolicyKind), cancellationToken))
            {
                if (await ApplyLifetimeActionAsync(vault, record, cancellationToken))
                {
                    renewed++;
                }
            }
        }
        return renewed;
    }

    public async Task<IReadOnlyList<CertificateEvent>> ListEventsAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        var records = await store.ListAsync(new RecordQuery(vault.Name, EventKind) { Name = Names.Normalize(name), Limit = 1000 }, cancellationToken);
        return records.Select(r => SealedJson.Decrypt<CertificateEvent>(seal.Barrier, r)).ToList();
    }

    private async Task<bool> ApplyLifetimeActionAsync(VaultProperties vault, StoredRecord policyRecord, CancellationToken cancellationToken)
    {
        var policy = SealedJson.Decrypt<CertificatePolicy>(seal.Barrier, policyRecord);
        if (policy.LifetimeActions.Count == 0)
        {
            return false;
        }
        ObjectVersion<CertificateVersionPayload> latest;
        try
        {
            latest = await _objects.GetAsync(vault, policyRecord.Key.Name, null, cancellationToken);
        }
        catch (Errors.KeyhubException)
        {
            return false; // deleted, or still pending: nothing to renew
        }
        if (latest.Payload.NotBefore is not { } nbf || latest.Payload.Expires is not { } exp)
        {
            return false;
        }
        var action = policy.LifetimeActions[0];
        var due = action.LifetimePercentage is { } percentage
            ? DateTimeOffset.FromUnixTimeSeconds(nbf + ((exp - nbf) * percentage / 100))
            : DateTimeOffset.FromUnixTimeSeconds(exp).AddDays(-action.DaysBeforeExpiry!.Value);
        var now = time.GetUtcNow();
        if (now < due)
        {
            return false;
        }
        if (action.ActionType == CertificatePolicyRules.EmailContacts)
        {
            var eventKey = new RecordKey(vault.Name, EventKind, policyRecord.Key.Name, latest.Version);
            if (await store.GetAsync(eventKey, cancellationToken) is null)
            {
                var notice = new CertificateEvent(latest.Name, latest.Version, CertificatePolicyRules.EmailContacts, now);
                await store.WriteAsync(
                    [new RecordWrite.Put(new StoredRecord { Key = eventKey, Created = now, Updated = now, Payload = SealedJson.Encrypt(seal.Barrier, eventKey, notice) })],
                    cancellationToken);
            }
            return false;
        }
        await _issueGate.WaitAsync(cancellationToken);
        try
        {
            var operation = await ReadOperationAsync(vault, latest.Name, cancellationToken);
            if (operation?.Status == CertificateOperation.InProgress)
            {
                return false;
            }
            if (operation?.Status == CertificateOperation.Failed && now - DateTimeOffset.FromUnixTimeSeconds(operation.Created) < RenewalRetryInterval)
            {
                return false; // a renewal failed recently: retried once per interval, not on every tick (each try makes a key)
            }
            CertificateOperation result;
            try
            {
                result = await IssueAsync(vault, latest.Name, policy, latest.Payload.Tags, enabled: true, reuseFrom: latest.Version, cancellationToken);
            }
            catch (Errors.KeyhubException refused)
            {
                // The issuer refused the renewal (the Keyhub issuer: a name no longer on the vault's allow-list;
                // a named issuer since deleted). The certificate keeps its version, the refusal shows as its
                // operation, the next tick tries again — and the other certificates still renew on this one.
                await WriteOperationAsync(vault, latest.Name, new CertificateOperationRecord
                {
                    Name = latest.Name,
                    IssuerName = policy.IssuerName,
                    Status = CertificateOperation.Failed,
                    RequestId = RandomNumberGenerator.GetHexString(32, lowercase: true),
                    ErrorCode = "Request rejected",
                    ErrorMessage = "Automatic renewal was refused: " + refused.Message,
                    Tags = latest.Payload.Tags,
                    Created = now.ToUnixTimeSeconds(),
                }, cancellationToken);
                return false;
            }
            return result.Status == CertificateOperation.Completed;
        }
        finally
        {
            _issueGate.Release();
        }
    }

    // ---- issuance ----

    private async Task<CertificateOperation> IssueAsync(
        VaultProperties vault, string name, CertificatePolicy policy, IReadOnlyDictionary<string, string>? tags, bool enabled, string? reuseFrom,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var operation = new CertificateOperationRecord
        {
            Name = name,
            IssuerName = policy.IssuerName,
            Status = CertificateOperation.InProgress,
            RequestId = RandomNumberGenerator.GetHexString(32, lowercase: true),
            Tags = tags?.ToDictionary(),
            Enabled = enabled,
            Created = now.ToUnixTimeSeconds(),
            CertificateType = policy.CertificateType,
            CertificateTransparency = policy.CertificateTransparency,
        };
        var key = await KeyForAsync(vault, name, policy, reuseFrom, cancellationToken);
        try
        {
            switch (policy.IssuerName)
            {
                case CertificateIssuers.Self:
                {
                    var der = CertificateBuilder.SelfSign(policy, key, now);
                    var csr = CertificateBuilder.SigningRequest(policy, key);
                    await AddVersionAsync(vault, name, policy, der, [], key, tags, enabled, cancellationToken);
                    operation = Completed(operation) with { Csr = csr };
                    break;
                }
                case CertificateIssuers.Unknown:
                    operation = operation with
                    {
                        Csr = CertificateBuilder.SigningRequest(policy, key),
                        StatusDetails = "Pending certificate created. Please Perform Merge to complete the request.",
                        PendingKey = key.DeepCopy(),
                    };
                    break;
                default:
                {
                    if (policy.IssuerName != CertificateIssuers.Keyhub)
                    {
                        var issuer = await GetIssuerAsync(vault, policy.IssuerName, cancellationToken);
                        if (!string.Equals(issuer.Provider, CertificateIssuers.Keyhub, StringComparison.OrdinalIgnoreCase))
                        {
                            operation = operation with
                            {
                                Status = CertificateOperation.Failed,
                                ErrorCode = "Certificate issuer error",
                                ErrorMessage = $"Issuer {issuer.Name} uses provider {issuer.Provider}, which Keyhub cannot reach; use the issuer Keyhub, Self or Unknown.",
                            };
                            break;
                        }
                    }
                    var (leaf, chain) = await ca.IssueAsync(vault, policy.X509, key, cancellationToken);
                    var csr = CertificateBuilder.SigningRequest(policy, key);
                    await AddVersionAsync(vault, name, policy, leaf, chain, key, tags, enabled, cancellationToken);
                    operation = Completed(operation) with { Csr = csr };
                    break;
                }
            }
        }
        finally
        {
            key.Clear();
        }
        await WriteOperationAsync(vault, name, operation, cancellationToken);
        return ToOperation(name, operation);
    }

    private async Task<KeyMaterial> KeyForAsync(VaultProperties vault, string name, CertificatePolicy policy, string? reuseFrom, CancellationToken cancellationToken)
    {
        if (policy.Key.ReuseKey)
        {
            var previous = reuseFrom ?? (await IsLiveAsync(vault, name, cancellationToken)
                ? (await _objects.GetAsync(vault, name, null, cancellationToken)).Version
                : null);
            if (previous is not null)
            {
                var material = await keys.ReadManagedMaterialAsync(vault, name, previous, cancellationToken);
                if (material.Kty == policy.Key.Kty && (material.Kty != KeyTypes.Ec || material.Crv == policy.Key.Curve) && (material.Kty != KeyTypes.Rsa || material.Size == policy.Key.KeySize))
                {
                    return material;
                }
                material.Clear();
            }
        }
        return KeyFactory.Generate(policy.Key.Kty, policy.Key.Kty == KeyTypes.Rsa ? policy.Key.KeySize : null, null, policy.Key.Curve);
    }

    /// <summary>Writes the managed key and secret, then the certificate version, all under one new version id.</summary>
    private async Task<CertificateVersion> AddVersionAsync(
        VaultProperties vault, string name, CertificatePolicy policy, byte[] leaf, List<byte[]> chain, KeyMaterial key,
        IReadOnlyDictionary<string, string>? tags, bool enabled, CancellationToken cancellationToken)
    {
        DateTimeOffset notBefore, notAfter;
        using (var certificate = X509CertificateLoader.LoadCertificate(leaf))
        {
            notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
            notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        }
        var versionId = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var secretValue = CertificateFormats.SecretValue(policy.ContentType, leaf, chain, policy.Key.Exportable ? key : null);
        var ops = CertificatePolicyRules.KeyOpsFor(key.Kty, policy.X509.KeyUsage);
        await keys.AddManagedAsync(vault, name, versionId, key.DeepCopy(), ops, enabled, notBefore, notAfter, tags, cancellationToken);
        await secrets.AddManagedAsync(vault, name, versionId, secretValue, policy.ContentType, enabled, notBefore, notAfter, tags, cancellationToken);
        var payload = new CertificateVersionPayload(leaf, chain, tags?.ToDictionary(), notBefore.ToUnixTimeSeconds(), notAfter.ToUnixTimeSeconds());
        return ToCertificate(await _objects.AddVersionAsync(vault, name, payload, enabled, notAfter, versionId, cancellationToken));
    }

    /// <summary>No issuance while one is in progress (Azure: 409), none on a deleted name, none over an ordinary key or secret.</summary>
    private async Task RefuseIssuanceAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        if ((await ReadOperationAsync(vault, name, cancellationToken))?.Status == CertificateOperation.InProgress)
        {
            throw new Errors.KeyhubException(409, "Forbidden",
                "A new key vault certificate can not be created or imported while a pending key vault certificate's status is inProgress.");
        }
        if (await _objects.IsDeletedAsync(vault, name, cancellationToken))
        {
            throw Kind.DeletedConflict(name);
        }
        if (await keys.IsUnmanagedAsync(vault, name, cancellationToken) || await secrets.IsUnmanagedAsync(vault, name, cancellationToken))
        {
            throw E.Conflict($"A key or secret named {name} exists and does not belong to a certificate; a certificate needs its own key and secret of that name.");
        }
    }

    private CertificatePolicy DerivePolicy(ParsedCertificate parsed, string value)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(parsed.Leaf);
        var x509 = new CertificatePolicyUpdate
        {
            Kty = parsed.Key.Kty,
            KeySize = parsed.Key.Kty == KeyTypes.Rsa ? parsed.Key.Size : null,
            Curve = parsed.Key.Crv,
            ContentType = value.TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal) ? CertificatePolicyRules.Pem : CertificatePolicyRules.Pkcs12,
            Subject = certificate.Subject.Length > 0 ? certificate.Subject : "CN=imported",
            DnsNames = SubjectAlternativeNames(certificate, "DNS Name").ToList(),
            Ekus = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>()).Select(o => o.Value!).ToList(),
            KeyUsage = KeyUsages(certificate),
            ValidityMonths = Math.Clamp((int)Math.Round((certificate.NotAfter - certificate.NotBefore).TotalDays / 30.44), 1, CertificatePolicyRules.MaxValidityMonths),
            IssuerName = CertificateIssuers.Unknown,
        };
        return CertificatePolicyRules.Apply(x509, null, time.GetUtcNow());
    }

    private static IEnumerable<string> SubjectAlternativeNames(X509Certificate2 certificate, string prefix) =>
        certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).Where(_ => prefix == "DNS Name");

    private static List<string> KeyUsages(X509Certificate2 certificate)
    {
        var flags = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault()?.KeyUsages ?? X509KeyUsageFlags.None;
        var names = new (X509KeyUsageFlags Flag, string Name)[]
        {
            (X509KeyUsageFlags.CrlSign, "cRLSign"), (X509KeyUsageFlags.DataEncipherment, "dataEncipherment"), (X509KeyUsageFlags.DecipherOnly, "decipherOnly"),
            (X509KeyUsageFlags.DigitalSignature, "digitalSignature"), (X509KeyUsageFlags.EncipherOnly, "encipherOnly"), (X509KeyUsageFlags.KeyAgreement, "keyAgreement"),
            (X509KeyUsageFlags.KeyCertSign, "keyCertSign"), (X509KeyUsageFlags.KeyEncipherment, "keyEncipherment"), (X509KeyUsageFlags.NonRepudiation, "nonRepudiation"),
        };
        return names.Where(n => flags.HasFlag(n.Flag)).Select(n => n.Name).ToList();
    }

    private static void ValidateIssuer(CertificateIssuer issuer)
    {
        if (CertificateIssuers.IsReserved(issuer.Name))
        {
            throw E.BadParameter($"The issuer name {issuer.Name} is reserved in every vault.");
        }
        CertificateIssuers.ValidateName(issuer.Name);
        if (string.IsNullOrWhiteSpace(issuer.Provider) || issuer.Provider.Length > 128)
        {
            throw E.BadParameter("An issuer needs a provider (1-128 characters).");
        }
        if ((issuer.AccountId?.Length ?? 0) > 256 || (issuer.Password?.Length ?? 0) > 1024 || (issuer.OrganizationId?.Length ?? 0) > 256 || issuer.Admins.Count > 20)
        {
            throw E.BadParameter("An issuer's credentials or organization details are too long.");
        }
    }

    private async Task<bool> IsLiveAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        try
        {
            await _objects.GetAsync(vault, name, null, cancellationToken);
            return true;
        }
        catch (Errors.KeyhubException)
        {
            return false;
        }
    }

    private async Task EnsureExistsAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, "certificate");
        if (!await IsLiveAsync(vault, name, cancellationToken)
            && !await IsPlaceholderAsync(vault, name, await ReadOperationAsync(vault, name, cancellationToken), cancellationToken))
        {
            throw Kind.NotFound(name);
        }
    }

    /// <summary>
    /// Whether the name shows as a certificate whose first version never came (still with its issuer,
    /// cancelled or failed): an operation that did not complete, and no version at all, live or deleted.
    /// A deleted certificate is not one: it reads 404 until recovered.
    /// </summary>
    private async Task<bool> IsPlaceholderAsync(VaultProperties vault, string name, CertificateOperationRecord? operation, CancellationToken cancellationToken) =>
        operation is not null
        && operation.Status != CertificateOperation.Completed
        && await _objects.PeekLatestAsync(vault, name, cancellationToken) is null;

    /// <summary>The disabled, empty version Azure shows while the first version is with its issuer.</summary>
    private static CertificateVersion Placeholder(string name, CertificateOperationRecord operation)
    {
        var created = DateTimeOffset.FromUnixTimeSeconds(operation.Created);
        return new CertificateVersion
        {
            Name = name,
            Version = "",
            Enabled = false,
            Created = created,
            Updated = created,
            Tags = operation.Tags,
            HasOperation = true,
        };
    }

    private async Task<DeletedCertificate> ToDeletedAsync(VaultProperties vault, DeletedObject<CertificateVersionPayload> deleted, CancellationToken cancellationToken) =>
        new(ToCertificate(deleted.Latest) with { Policy = await ReadPolicyAsync(vault, deleted.Latest.Name, cancellationToken) }, deleted.DeletedDate, deleted.ScheduledPurgeDate);

    private async Task<CertificatePolicy?> ReadPolicyAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(PolicyKey(vault, name), cancellationToken);
        return record is null ? null : SealedJson.Decrypt<CertificatePolicy>(seal.Barrier, record);
    }

    private async Task WritePolicyAsync(VaultProperties vault, string name, CertificatePolicy policy, CancellationToken cancellationToken)
    {
        var key = PolicyKey(vault, name);
        var now = time.GetUtcNow();
        await store.WriteAsync(
            [new RecordWrite.Put(new StoredRecord { Key = key, Created = policy.Created ?? now, Updated = now, Payload = SealedJson.Encrypt(seal.Barrier, key, policy) })],
            cancellationToken);
    }

    private async Task<CertificateOperationRecord?> ReadOperationAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(OperationKey(vault, name), cancellationToken);
        return record is null ? null : SealedJson.Decrypt<CertificateOperationRecord>(seal.Barrier, record);
    }

    private async Task WriteOperationAsync(VaultProperties vault, string name, CertificateOperationRecord operation, CancellationToken cancellationToken)
    {
        var key = OperationKey(vault, name);
        var now = time.GetUtcNow();
        await store.WriteAsync(
            [new RecordWrite.Put(new StoredRecord { Key = key, Created = now, Updated = now, Payload = SealedJson.Encrypt(seal.Barrier, key, operation) })],
            cancellationToken);
    }

    private static CertificateOperationRecord Completed(CertificateOperationRecord operation)
    {
        operation.PendingKey?.Clear();
        return operation with { Status = CertificateOperation.Completed, StatusDetails = null, PendingKey = null };
    }

    private static CertificateOperation ToOperation(string name, CertificateOperationRecord operation) => new()
    {
        Name = name,
        IssuerName = operation.IssuerName,
        Status = operation.Status,
        RequestId = operation.RequestId,
        StatusDetails = operation.StatusDetails,
        Csr = operation.Csr,
        CancellationRequested = operation.CancellationRequested,
        ErrorCode = operation.ErrorCode,
        ErrorMessage = operation.ErrorMessage,
        CertificateType = operation.CertificateType,
        CertificateTransparency = operation.CertificateTransparency,
    };

    private static CertificateVersion ToCertificate(ObjectVersion<CertificateVersionPayload> version) => new()
    {
        Name = version.Name,
        Version = version.Version,
        Cer = version.Payload.Cer,
        Tags = version.Payload.Tags,
        Enabled = version.Enabled,
        NotBefore = version.Payload.NotBefore is { } nbf ? DateTimeOffset.FromUnixTimeSeconds(nbf) : null,
        Expires = version.Payload.Expires is { } exp ? DateTimeOffset.FromUnixTimeSeconds(exp) : null,
        Created = version.Created,
        Updated = version.Updated,
    };

    private static async Task IgnoreMissingAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Errors.KeyhubException ex) when (ex.Status == 404)
        {
        }
    }

    private static Page<TOut> Map<TIn, TOut>(Page<TIn> page, Func<TIn, TOut> map) => new(page.Items.Select(map).ToList(), page.ContinueAfter);

    private static Errors.KeyhubException PendingNotFound(string name) => E.NotFound("PendingCertificateNotFound", $"Pending certificate not found: {name}");

    private static Errors.KeyhubException IssuerNotFound() => E.NotFound("CertificateIssuerNotFound", "Issuer not found");

    private static RecordKey PolicyKey(VaultProperties vault, string name) => new(vault.Name, PolicyKind, Names.Normalize(name), "");

    private static RecordKey OperationKey(VaultProperties vault, string name) => new(vault.Name, OperationKind, Names.Normalize(name), "");

    private static RecordKey IssuerKey(VaultProperties vault, string name) => new(vault.Name, IssuerKind, name.ToLowerInvariant(), "");

    private static RecordKey ContactsKey(VaultProperties vault) => new(vault.Name, ContactsKind, "contacts", "");

    /// <summary>Plaintext of a certificate backup blob (a stored format): the three objects' own blobs and the policy.</summary>
    private sealed record CertificateBackup(int Format, byte[] Certificate, byte[] Key, byte[] Secret, CertificatePolicy Policy);
}
