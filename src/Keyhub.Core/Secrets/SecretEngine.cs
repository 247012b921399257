using System.Security.Cryptography;
using System.Text;
using Keyhub.Core.Barrier;
using Keyhub.Core.Seal;
using Keyhub.Core.Storage;
using Keyhub.Core.Vaults;
using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Secrets;

/// <summary>
/// Secrets: versions, soft delete, recovery, purge, backup and restore. Each secret is a head record
/// (display name, latest version; deleted/purge timestamps in the clear) plus one record per version.
/// </summary>
public sealed class SecretEngine(IRecordStore store, SealManager seal, TimeProvider time)
{
    public const int MaxValueBytes = 25_600;
    public const int MaxBackupVersions = 500;
    internal const string HeadKind = "secret";
    internal const string VersionKind = "secret-version";
    private const int BackupFormat = 1;
    private static readonly byte[] BackupAssociatedData = Encoding.UTF8.GetBytes("keyhub/backup/secret/v1");

    // One writer at a time keeps read-check-write sequences (e.g. "not deleted, then add a version")
    // atomic on a single node.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    private RecordBarrier Barrier => seal.Barrier;

    public async Task<SecretVersion> SetAsync(VaultProperties vault, string name, NewSecret secret, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, "secret");
        ValidateValue(secret.Value);
        SecretValidation.ValidateProperties(secret.ContentType, secret.Tags);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var headKey = HeadKey(vault, name);
            var head = await store.GetAsync(headKey, cancellationToken);
            if (head?.Deleted is not null)
            {
                throw DeletedConflict(name);
            }
            var now = time.GetUtcNow();
            var version = NewVersionId();
            var displayName = head is null ? name : SealedJson.Decrypt<SecretHeadPayload>(Barrier, head).Name;
            var versionKey = VersionKey(vault, name, version);
            var payload = new SecretVersionPayload(secret.Value, secret.ContentType, secret.Tags?.ToDictionary(), secret.NotBefore?.ToUnixTimeSeconds(), secret.Expires?.ToUnixTimeSeconds());
            var versionRecord = new StoredRecord
            {
                Key = versionKey,
                Created = now,
                Updated = now,
                Enabled = secret.Enabled ?? true,
                Expires = secret.Expires,
                Payload = SealedJson.Encrypt(Barrier, versionKey, payload),
            };
            var headRecord = new StoredRecord
            {
                Key = headKey,
                Created = head?.Created ?? now,
                Updated = now,
                Payload = SealedJson.Encrypt(Barrier, headKey, new SecretHeadPayload(displayName, version)),
            };
            await store.WriteAsync([new RecordWrite.Put(headRecord), new RecordWrite.Insert(versionRecord)], cancellationToken);
            return ToVersion(displayName, versionRecord, payload, includeValue: true);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Reads a version with its value; a disabled version is refused as Azure does.</summary>
    public async Task<SecretVersion> GetAsync(VaultProperties vault, string name, string? version, CancellationToken cancellationToken)
    {
        var (head, record) = await LoadVersionAsync(vault, name, version, cancellationToken);
        if (!record.Enabled)
        {
            throw E.Forbidden("Operation get is not allowed on a disabled secret.", "SecretDisabled");
        }
        return ToVersion(head.Name, record, SealedJson.Decrypt<SecretVersionPayload>(Barrier, record), includeValue: true);
    }

    public async Task<SecretVersion> UpdateAsync(VaultProperties vault, string name, string? version, SecretPropertiesUpdate update, CancellationToken cancellationToken)
    {
        SecretValidation.ValidateProperties(update.ContentType, update.Tags);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var (head, record) = await LoadVersionAsync(vault, name, version, cancellationToken);
            var payload = SealedJson.Decrypt<SecretVersionPayload>(Barrier, record);
            var changed = payload with
            {
                ContentType = update.ContentType ?? payload.ContentType,
                Tags = update.Tags?.ToDictionary() ?? payload.Tags,
                NotBefore = update.NotBefore?.ToUnixTimeSeconds() ?? payload.NotBefore,
                Expires = update.Expires?.ToUnixTimeSeconds() ?? payload.Expires,
            };
            var updated = record with
            {
                Updated = time.GetUtcNow(),
                Enabled = update.Enabled ?? record.Enabled,
                Expires = changed.Expires is { } exp ? DateTimeOffset.FromUnixTimeSeconds(exp) : null,
                Payload = SealedJson.Encrypt(Barrier, record.Key, changed),
            };
            await store.WriteAsync([new RecordWrite.Put(updated)], cancellationToken);
            return ToVersion(head.Name, updated, changed, includeValue: false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Live secrets, each described by its latest version (no values).</summary>
    public async Task<Page<SecretVersion>> ListAsync(VaultProperties vault, string? after, int limit, CancellationToken cancellationToken)
    {
        var heads = await store.ListAsync(new RecordQuery(vault.Name, HeadKind) { After = after, Limit = limit + 1 }, cancellationToken);
        var items = new List<SecretVersion>();
        foreach (var head in heads.Take(limit))
        {
            items.Add(await DescribeLatestAsync(head, cancellationToken));
        }
        return new Page<SecretVersion>(items, heads.Count > limit ? heads[limit - 1].Key.Name : null);
    }

    public async Task<Page<SecretVersion>> ListVersionsAsync(VaultProperties vault, string name, string? after, int limit, CancellationToken cancellationToken)
    {
        var head = await LoadLiveHeadAsync(vault, name, cancellationToken);
        var records = await store.ListAsync(
            new RecordQuery(vault.Name, VersionKind) { Name = Names.Normalize(name), After = after, Limit = limit + 1 },
            cancellationToken);
        var items = records.Take(limit)
            .Select(r => ToVersion(head.Name, r, SealedJson.Decrypt<SecretVersionPayload>(Barrier, r), includeValue: false))
            .ToList();
        return new Page<SecretVersion>(items, records.Count > limit ? records[limit - 1].Key.Version : null);
    }

    public async Task<DeletedSecret> DeleteAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, "secret");
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var head = await store.GetAsync(HeadKey(vault, name), cancellationToken);
            if (head is null || head.Deleted is not null)
            {
                throw E.SecretNotFound(name);
            }
            var now = time.GetUtcNow();
            var deleted = head with { Deleted = now, PurgeAt = now.AddDays(vault.RetentionDays), Updated = now };
            await store.WriteAsync([new RecordWrite.Put(deleted)], cancellationToken);
            return new DeletedSecret(await DescribeLatestAsync(deleted, cancellationToken), now, deleted.PurgeAt!.Value);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task<DeletedSecret> GetDeletedAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        var head = await LoadDeletedHeadAsync(vault, name, cancellationToken);
        return new DeletedSecret(await DescribeLatestAsync(head, cancellationToken), head.Deleted!.Value, head.PurgeAt!.Value);
    }

    public async Task<Page<DeletedSecret>> ListDeletedAsync(VaultProperties vault, string? after, int limit, CancellationToken cancellationToken)
    {
        var heads = await store.ListAsync(
            new RecordQuery(vault.Name, HeadKind) { Deleted = DeletedFilter.Deleted, After = after, Limit = limit + 1 },
            cancellationToken);
        var items = new List<DeletedSecret>();
        foreach (var head in heads.Take(limit))
        {
            items.Add(new DeletedSecret(await DescribeLatestAsync(head, cancellationToken), head.Deleted!.Value, head.PurgeAt!.Value));
        }
        return new Page<DeletedSecret>(items, heads.Count > limit ? heads[limit - 1].Key.Name : null);
    }

    public async Task<SecretVersion> RecoverAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var head = await LoadDeletedHeadAsync(vault, name, cancellationToken);
            var recovered = head with { Deleted = null, PurgeAt = null, Updated = time.GetUtcNow() };
            await store.WriteAsync([new RecordWrite.Put(recovered)], cancellationToken);
            return await DescribeLatestAsync(recovered, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task PurgeAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var head = await LoadDeletedHeadAsync(vault, name, cancellationToken);
            if (vault.PurgeProtection)
            {
                throw E.Forbidden(
                    $"Purge protection is enabled on this vault: secret {name} can be recovered but not purged before its retention ends at {head.PurgeAt:O}.");
            }
            await RemoveAsync(head.Key, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Purges deleted secrets whose retention has ended, in every vault. Safe to run on several nodes.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var purged = 0;
        while (true)
        {
            var due = await store.ListDueForPurgeAsync(HeadKind, time.GetUtcNow(), 100, cancellationToken);
            if (due.Count == 0)
            {
                return purged;
            }
            await _writeGate.WaitAsync(cancellationToken);
            try
            {
                foreach (var key in due)
                {
                    await RemoveAsync(key, cancellationToken);
                    purged++;
                }
            }
            finally
            {
                _writeGate.Release();
            }
        }
    }

    public async Task<byte[]> BackupAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        var head = await LoadLiveHeadAsync(vault, name, cancellationToken);
        var versions = await store.ListAsync(
            new RecordQuery(vault.Name, VersionKind) { Name = Names.Normalize(name), Limit = MaxBackupVersions + 1 },
            cancellationToken);
        if (versions.Count > MaxBackupVersions)
        {
            throw E.BadParameter($"Secret {name} has more than {MaxBackupVersions} versions and cannot be backed up.");
        }
        var backup = new SecretBackupPayload(
            BackupFormat,
            head,
            versions.Select(r => new SecretBackupVersion(
                r.Key.Version,
                SealedJson.Decrypt<SecretVersionPayload>(Barrier, r),
                r.Enabled,
                r.Created.ToUnixTimeMilliseconds(),
                r.Updated.ToUnixTimeMilliseconds())).ToList());
        var plaintext = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(backup);
        try
        {
            return Barrier.Encrypt(plaintext, BackupAssociatedData);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public async Task<SecretVersion> RestoreAsync(VaultProperties vault, byte[] blob, CancellationToken cancellationToken)
    {
        SecretBackupPayload backup;
        try
        {
            var plaintext = Barrier.Decrypt(blob, BackupAssociatedData);
            try
            {
                backup = System.Text.Json.JsonSerializer.Deserialize<SecretBackupPayload>(plaintext)
                    ?? throw new BarrierException();
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }
        catch (Exception ex) when (ex is BarrierException or System.Text.Json.JsonException)
        {
            throw E.BadParameter("The backup blob is invalid, corrupted, or was made by another Keyhub deployment.");
        }
        if (backup.Format != BackupFormat || backup.Head is null || backup.Versions is not { Count: > 0 }
            || !backup.Versions.Any(v => v.Version == backup.Head.Latest)
            || backup.Versions.Any(v => v.Version is null || !IsVersionId(v.Version) || v.Payload is null))
        {
            throw E.BadParameter("The backup blob is invalid, corrupted, or was made by another Keyhub deployment.");
        }
        var name = backup.Head.Name;
        Names.ValidateObject(name, "secret");
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var headKey = HeadKey(vault, name);
            var existing = await store.GetAsync(headKey, cancellationToken);
            if (existing is not null)
            {
                throw existing.Deleted is not null
                    ? DeletedConflict(name)
                    : E.Conflict($"Secret {name} already exists in this vault; a backup restores only a secret that does not exist.");
            }
            var now = time.GetUtcNow();
            var writes = new List<RecordWrite>
            {
                new RecordWrite.Insert(new StoredRecord
                {
                    Key = headKey,
                    Created = now,
                    Updated = now,
                    Payload = SealedJson.Encrypt(Barrier, headKey, backup.Head),
                }),
            };
            StoredRecord? latest = null;
            foreach (var v in backup.Versions)
            {
                var key = VersionKey(vault, name, v.Version);
                var record = new StoredRecord
                {
                    Key = key,
                    Created = DateTimeOffset.FromUnixTimeMilliseconds(v.Created),
                    Updated = DateTimeOffset.FromUnixTimeMilliseconds(v.Updated),
                    Enabled = v.Enabled,
                    Expires = v.Payload.Expires is { } exp ? DateTimeOffset.FromUnixTimeSeconds(exp) : null,
                    Payload = SealedJson.Encrypt(Barrier, key, v.Payload),
                };
                writes.Add(new RecordWrite.Insert(record));
                if (v.Version == backup.Head.Latest)
                {
                    latest = record;
                }
            }
            var latestRecord = latest ?? throw E.BadParameter("The backup blob is invalid.");
            await store.WriteAsync(writes, cancellationToken);
            return ToVersion(name, latestRecord, backup.Versions.First(v => v.Version == backup.Head.Latest).Payload, includeValue: false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task RemoveAsync(RecordKey headKey, CancellationToken cancellationToken)
    {
        await store.WriteAsync(
            [
                new RecordWrite.RemoveAll(headKey.Vault, VersionKind, headKey.Name),
                new RecordWrite.Remove(headKey),
            ],
            cancellationToken);
        await store.CompactAsync(cancellationToken);
    }

    private async Task<(SecretHeadPayload Head, StoredRecord Version)> LoadVersionAsync(VaultProperties vault, string name, string? version, CancellationToken cancellationToken)
    {
        var headRecord = await LoadLiveHeadAsync(vault, name, cancellationToken);
        if (string.IsNullOrEmpty(version))
        {
            version = headRecord.Latest;
        }
        else if (!IsVersionId(version))
        {
            throw E.SecretNotFound(name, version);
        }
        var record = await store.GetAsync(VersionKey(vault, name, version.ToLowerInvariant()), cancellationToken)
            ?? throw E.SecretNotFound(name, version);
        return (headRecord, record);
    }

    private async Task<SecretHeadPayload> LoadLiveHeadAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, "secret");
        var head = await store.GetAsync(HeadKey(vault, name), cancellationToken);
        if (head is null || head.Deleted is not null)
        {
            throw E.SecretNotFound(name);
        }
        return SealedJson.Decrypt<SecretHeadPayload>(Barrier, head);
    }

    private async Task<StoredRecord> LoadDeletedHeadAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, "secret");
        var head = await store.GetAsync(HeadKey(vault, name), cancellationToken);
        return head is { Deleted: not null } ? head : throw E.DeletedSecretNotFound(name);
    }

    private async Task<SecretVersion> DescribeLatestAsync(StoredRecord headRecord, CancellationToken cancellationToken)
    {
        var head = SealedJson.Decrypt<SecretHeadPayload>(Barrier, headRecord);
        var key = headRecord.Key with { Kind = VersionKind, Version = head.Latest };
        var record = await store.GetAsync(key, cancellationToken) ?? throw new BarrierException();
        return ToVersion(head.Name, record, SealedJson.Decrypt<SecretVersionPayload>(Barrier, record), includeValue: false);
    }

    private static SecretVersion ToVersion(string name, StoredRecord record, SecretVersionPayload payload, bool includeValue) => new()
    {
        Name = name,
        Version = record.Key.Version,
        Value = includeValue ? payload.Value : null,
        ContentType = payload.ContentType,
        Tags = payload.Tags,
        Enabled = record.Enabled,
        NotBefore = payload.NotBefore is { } nbf ? DateTimeOffset.FromUnixTimeSeconds(nbf) : null,
        Expires = payload.Expires is { } exp ? DateTimeOffset.FromUnixTimeSeconds(exp) : null,
        Created = record.Created,
        Updated = record.Updated,
    };

    private static void ValidateValue(string? value)
    {
        if (value is null)
        {
            throw E.BadParameter("The secret value is required.");
        }
        if (Encoding.UTF8.GetByteCount(value) > MaxValueBytes)
        {
            throw E.BadParameter($"The secret value exceeds the maximum size of {MaxValueBytes} bytes.");
        }
    }

    private static Errors.KeyhubException DeletedConflict(string name) => E.Conflict(
        $"Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.",
        "ObjectIsDeletedButRecoverable");

    private static bool IsVersionId(string version) => version.Length == 32 && version.All(char.IsAsciiHexDigit);

    private static string NewVersionId() => RandomNumberGenerator.GetHexString(32, lowercase: true);

    private static RecordKey HeadKey(VaultProperties vault, string name) => new(vault.Name, HeadKind, Names.Normalize(name), "");

    private static RecordKey VersionKey(VaultProperties vault, string name, string version) => new(vault.Name, VersionKind, Names.Normalize(name), version);
}
