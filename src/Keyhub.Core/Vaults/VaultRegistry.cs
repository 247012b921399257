using Keyhub.Core.Objects;
using Keyhub.Core.Seal;
using Keyhub.Core.Storage;
using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Vaults;

/// <summary>
/// The vaults of this deployment, stored as encrypted records in the system vault: create, update,
/// soft delete, recover and purge, with Azure's retention and purge-protection rules.
/// </summary>
public sealed class VaultRegistry(IRecordStore store, SealManager seal, TimeProvider time)
{
    private const string Kind = "vault";

    /// <summary>Every record kind a vault holds; a vault purge removes them all.</summary>
    private static readonly string[] ObjectKinds =
        [
            .. new[] { ObjectKind.Secret, ObjectKind.Key, ObjectKind.Certificate }.SelectMany(k => new[] { k.HeadKind, k.VersionKind }.Concat(k.AttachedKinds)),
            Certificates.CertificateEngine.IssuerKind,
            Certificates.CertificateEngine.ContactsKind,
        ];

    public async Task<VaultProperties?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(KeyOf(name), cancellationToken);
        return record is null || record.Deleted is not null ? null : SealedJson.Decrypt<VaultProperties>(seal.Barrier, record);
    }

    public Task<IReadOnlyList<VaultProperties>> ListAsync(CancellationToken cancellationToken) => ListAsync(DeletedFilter.Live, cancellationToken);

    public async Task<IReadOnlyList<DeletedVault>> ListDeletedAsync(CancellationToken cancellationToken)
    {
        var result = new List<DeletedVault>();
        await foreach (var record in RecordsAsync(DeletedFilter.Deleted, cancellationToken))
        {
            result.Add(new DeletedVault(SealedJson.Decrypt<VaultProperties>(seal.Barrier, record), record.Deleted!.Value, record.PurgeAt!.Value));
        }
        return result;
    }

    /// <summary>Creates the vault if it does not exist yet; returns the stored properties either way.</summary>
    public async Task<VaultProperties> EnsureAsync(VaultProperties vault, CancellationToken cancellationToken)
    {
        var existing = await GetAsync(vault.Name, cancellationToken);
        if (existing is not null)
        {
            return existing;
        }
        try
        {
            return await CreateAsync(vault, cancellationToken);
        }
        catch (Errors.KeyhubException ex) when (ex.Status == 409)
        {
            // Another node created it first: report what is stored (a deleted vault stays a conflict).
            var raced = await GetAsync(vault.Name, cancellationToken);
            if (raced is null)
            {
                throw;
            }
            return raced;
        }
    }

    /// <summary>Creates a vault; a name in use (live or deleted) or a port in use is a conflict.</summary>
    public async Task<VaultProperties> CreateAsync(VaultProperties vault, CancellationToken cancellationToken)
    {
        Names.ValidateVault(vault.Name);
        if (vault.RetentionDays is < 7 or > 90)
        {
            throw E.BadParameter("Soft-delete retention must be between 7 and 90 days.");
        }
        if (vault.Port is { } port && (port is < 1 or > 65535))
        {
            throw E.BadParameter($"Port {port} is not a TCP port.");
        }
        var normalised = vault with
        {
            Name = vault.Name.ToLowerInvariant(),
            CertDnsSuffixes = Ca.CertificateNameRules.NormalizeSuffixes(vault.CertDnsSuffixes),
            CertIpRanges = Ca.CertificateNameRules.NormalizeRanges(vault.CertIpRanges),
        };
        if (normalised.Port is not null && (await ListAsync(DeletedFilter.Any, cancellationToken)).Any(v => v.Port == normalised.Port))
        {
            throw E.Conflict($"Port {normalised.Port} is already bound to another vault.");
        }
        var key = KeyOf(normalised.Name);
        var now = time.GetUtcNow();
        try
        {
            await store.WriteAsync(
                [new RecordWrite.Insert(new StoredRecord { Key = key, Created = now, Updated = now, Payload = SealedJson.Encrypt(seal.Barrier, key, normalised) })],
                cancellationToken);
        }
        catch (RecordConflictException)
        {
            throw E.Conflict($"A vault named {normalised.Name} already exists (or is deleted but recoverable).");
        }
        return normalised;
    }

    /// <summary>Turns purge protection on. Like Azure, it cannot be turned off, and retention is fixed at creation.</summary>
    public Task<VaultProperties> UpdateAsync(string name, bool? purgeProtection, CancellationToken cancellationToken) =>
        UpdateAsync(name, new VaultUpdate { PurgeProtection = purgeProtection }, cancellationToken);

    /// <summary>
    /// Changes purge protection (on only) and the workload CA's allow-lists (validated and normalised, see
    /// <see cref="Ca.CertificateNameRules"/>) in one write.
    /// </summary>
    public async Task<VaultProperties> UpdateAsync(string name, VaultUpdate update, CancellationToken cancellationToken)
    {
        var record = await LiveRecordAsync(name, cancellationToken);
        var current = SealedJson.Decrypt<VaultProperties>(seal.Barrier, record);
        if (update.PurgeProtection == false && current.PurgeProtection)
        {
            throw E.BadParameter("Purge protection cannot be turned off once it is on.");
        }
        var updated = current with
        {
            PurgeProtection = update.PurgeProtection ?? current.PurgeProtection,
            CertDnsSuffixes = update.CertDnsSuffixes is { } suffixes ? Ca.CertificateNameRules.NormalizeSuffixes(suffixes) : current.CertDnsSuffixes,
            CertIpRanges = update.CertIpRanges is { } ranges ? Ca.CertificateNameRules.NormalizeRanges(ranges) : current.CertIpRanges,
        };
        await store.WriteAsync(
            [new RecordWrite.Put(record with { Updated = time.GetUtcNow(), Payload = SealedJson.Encrypt(seal.Barrier, record.Key, updated) })],
            cancellationToken);
        return updated;
    }

    public async Task<DeletedVault> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var record = await LiveRecordAsync(name, cancellationToken);
        var vault = SealedJson.Decrypt<VaultProperties>(seal.Barrier, record);
        var now = time.GetUtcNow();
        var deleted = record with { Deleted = now, PurgeAt = now.AddDays(vault.RetentionDays), Updated = now };
        await store.WriteAsync([new RecordWrite.Put(deleted)], cancellationToken);
        return new DeletedVault(vault, now, deleted.PurgeAt.Value);
    }

    public async Task<VaultProperties> RecoverAsync(string name, CancellationToken cancellationToken)
    {
        var record = await DeletedRecordAsync(name, cancellationToken);
        await store.WriteAsync([new RecordWrite.Put(record with { Deleted = null, PurgeAt = null, Updated = time.GetUtcNow() })], cancellationToken);
        return SealedJson.Decrypt<VaultProperties>(seal.Barrier, record);
    }

    /// <summary>
    /// Told of every object record a vault purge has removed (once removed), so what lives outside the store — an
    /// -HSM key's token objects — goes too.
    /// </summary>
    public Action<IReadOnlyList<StoredRecord>>? RecordsPurged { get; set; }

    /// <summary>Removes a deleted vault and everything in it; refused under purge protection until retention ends.</summary>
    public async Task PurgeAsync(string name, CancellationToken cancellationToken)
    {
        var record = await DeletedRecordAsync(name, cancellationToken);
        var vault = SealedJson.Decrypt<VaultProperties>(seal.Barrier, record);
        if (vault.PurgeProtection && time.GetUtcNow() < record.PurgeAt)
        {
            throw E.Forbidden($"Purge protection is enabled on vault {vault.Name}: it can be recovered but not purged before its retention ends at {record.PurgeAt:O}.");
        }
        await RemoveAsync(record.Key, cancellationToken);
    }

    /// <summary>Purges deleted vaults whose retention has ended.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var due = await store.ListDueForPurgeAsync(Kind, time.GetUtcNow(), 100, cancellationToken);
        foreach (var key in due)
        {
            await RemoveAsync(key, cancellationToken);
        }
        return due.Count;
    }

    private async Task RemoveAsync(RecordKey vaultKey, CancellationToken cancellationToken)
    {
        foreach (var kind in ObjectKinds)
        {
            while (true)
            {
                var page = await store.ListAsync(new RecordQuery(vaultKey.Name, kind) { Deleted = DeletedFilter.Any, Limit = 100 }, cancellationToken);
                if (page.Count == 0)
                {
                    break;
                }
                await store.WriteAsync(page.Select(r => (RecordWrite)new RecordWrite.Remove(r.Key)).ToList(), cancellationToken);
                RecordsPurged?.Invoke(page);
            }
        }
        // Access granted on the vault goes with it, so a new vault reusing the name grants nothing to the old team.
        var scope = Authorization.Scopes.Vault(vaultKey.Name);
        var writes = new List<RecordWrite>();
        await foreach (var record in store.ListAllAsync(new RecordQuery(SystemVault.Name, "roleassignment"), cancellationToken))
        {
            if (Authorization.Scopes.Encloses(scope, SealedJson.Decrypt<Authorization.RoleAssignment>(seal.Barrier, record).Scope))
            {
                writes.Add(new RecordWrite.Remove(record.Key));
            }
        }
        writes.Add(new RecordWrite.Remove(vaultKey));
        await store.WriteAsync(writes, cancellationToken);
        await store.CompactAsync(cancellationToken);
    }

    private async Task<StoredRecord> LiveRecordAsync(string name, CancellationToken cancellationToken)
    {
        Names.ValidateVault(name);
        var record = await store.GetAsync(KeyOf(name), cancellationToken);
        return record is { Deleted: null } ? record : throw E.NotFound("VaultNotFound", $"Vault {name} was not found.");
    }

    private async Task<StoredRecord> DeletedRecordAsync(string name, CancellationToken cancellationToken)
    {
        Names.ValidateVault(name);
        var record = await store.GetAsync(KeyOf(name), cancellationToken);
        return record is { Deleted: not null } ? record : throw E.NotFound("VaultNotFound", $"Deleted vault {name} was not found.");
    }

    private async Task<IReadOnlyList<VaultProperties>> ListAsync(DeletedFilter filter, CancellationToken cancellationToken)
    {
        var result = new List<VaultProperties>();
        await foreach (var record in RecordsAsync(filter, cancellationToken))
        {
            result.Add(SealedJson.Decrypt<VaultProperties>(seal.Barrier, record));
        }
        return result;
    }

    private IAsyncEnumerable<StoredRecord> RecordsAsync(DeletedFilter filter, CancellationToken cancellationToken) =>
        store.ListAllAsync(new RecordQuery(SystemVault.Name, Kind) { Deleted = filter }, cancellationToken);

    private static RecordKey KeyOf(string name) => new(SystemVault.Name, Kind, name.ToLowerInvariant(), "");
}

public sealed record DeletedVault(VaultProperties Vault, DateTimeOffset DeletedDate, DateTimeOffset ScheduledPurgeDate);
