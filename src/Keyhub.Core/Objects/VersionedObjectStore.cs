using System.Security.Cryptography;
using System.Text.Json;
using Keyhub.Core.Barrier;
using Keyhub.Core.Seal;
using Keyhub.Core.Storage;
using Keyhub.Core.Vaults;
using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Objects;

/// <summary>
/// Versions, soft delete, recovery, purge, backup and restore for one kind of vault object. Each
/// object is a head record (display name and latest version; deleted/purge timestamps in the clear)
/// plus one record per version. Engines add the kind's own validation and meaning on top.
/// </summary>
public sealed class VersionedObjectStore<TPayload>(IRecordStore store, SealManager seal, TimeProvider time, ObjectKind kind)
    where TPayload : class
{
    public const int MaxBackupVersions = 500;

    /// <summary>Told, after a purge has removed them, of every version's payload (e.g. to destroy HSM objects they name).</summary>
    public Action<IReadOnlyList<TPayload>>? AfterPurge { get; init; }
    private const int BackupFormat = 1;

    // One writer at a time keeps read-check-write sequences (e.g. "not deleted, then add a version")
    // atomic on a single node.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public ObjectKind Kind => kind;

    private RecordBarrier Barrier => seal.Barrier;

    /// <summary>Adds a version, creating the object if needed; a deleted name cannot be reused.</summary>
    public Task<ObjectVersion<TPayload>> AddVersionAsync(VaultProperties vault, string name, TPayload payload, bool enabled, DateTimeOffset? expires, CancellationToken cancellationToken) =>
        AddVersionAsync(vault, name, payload, enabled, expires, versionId: null, cancellationToken);

    /// <summary>
    /// Adds a version with a given id (a certificate's key and secret share its version id), or a fresh
    /// random one when <paramref name="versionId"/> is null.
    /// </summary>
    public async Task<ObjectVersion<TPayload>> AddVersionAsync(VaultProperties vault, string name, TPayload payload, bool enabled, DateTimeOffset? expires, string? versionId, CancellationToken cancellationToken)
    {
        if (versionId is not null && !IsVersionId(versionId))
        {
            throw new ArgumentException("A version id is 32 hex digits.", nameof(versionId));
        }
        Names.ValidateObject(name, kind.Noun.ToLowerInvariant());
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var headKey = HeadKey(vault, name);
            var head = await store.GetAsync(headKey, cancellationToken);
            if (head?.Deleted is not null)
            {
                throw kind.DeletedConflict(name);
            }
            var now = time.GetUtcNow();
            var displayName = head is null ? name : SealedJson.Decrypt<HeadPayload>(Barrier, head).Name;
            var versionKey = VersionKey(vault, name, versionId?.ToLowerInvariant() ?? RandomNumberGenerator.GetHexString(32, lowercase: true));
            var versionRecord = new StoredRecord
            {
                Key = versionKey,
                Created = now,
                Updated = now,
                Enabled = enabled,
                Expires = expires,
                Payload = SealedJson.Encrypt(Barrier, versionKey, payload),
            };
            var headRecord = new StoredRecord
            {
                Key = headKey,
                Created = head?.Created ?? now,
                Updated = now,
                Payload = SealedJson.Encrypt(Barrier, headKey, new HeadPayload(displayName, versionKey.Version)),
            };
            await store.WriteAsync([new RecordWrite.Put(headRecord), new RecordWrite.Insert(versionRecord)], cancellationToken);
            return ToVersion(displayName, versionRecord, payload);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Whether the object exists and is soft-deleted (one point read of its head; nothing decrypted).</summary>
    public async Task<bool> IsDeletedAsync(VaultProperties vault, string name, CancellationToken cancellationToken) =>
        (await store.GetAsync(HeadKey(vault, name), cancellationToken))?.Deleted is not null;

    /// <summary>The latest version's payload whether the object is live or deleted; null when there is no such object.</summary>
    public async Task<TPayload?> PeekLatestAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        var head = await store.GetAsync(HeadKey(vault, name), cancellationToken);
        return head is null ? null : (await DescribeLatestAsync(head, cancellationToken)).Payload;
    }

    /// <summary>A live object's version (latest when <paramref name="version"/> is empty).</summary>
    public async Task<ObjectVersion<TPayload>> GetAsync(VaultProperties vault, string name, string? version, CancellationToken cancellationToken)
    {
        var (head, record) = await LoadVersionAsync(vault, name, version, cancellationToken);
        return ToVersion(head.Name, record, SealedJson.Decrypt<TPayload>(Barrier, record));
    }

    public async Task<ObjectVersion<TPayload>> UpdateAsync(
        VaultProperties vault,
        string name,
        string? version,
        Func<ObjectVersion<TPayload>, VersionChange<TPayload>> change,
        CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var (head, record) = await LoadVersionAsync(vault, name, version, cancellationToken);
            var current = ToVersion(head.Name, record, SealedJson.Decrypt<TPayload>(Barrier, record));
            var changed = change(current);
            var updated = record with
            {
                Updated = time.GetUtcNow(),
                Enabled = changed.Enabled,
                Expires = changed.Expires,
                Payload = SealedJson.Encrypt(Barrier, record.Key, changed.Payload),
            };
            await store.WriteAsync([new RecordWrite.Put(updated)], cancellationToken);
            return ToVersion(head.Name, updated, changed.Payload);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Live objects, each described by its latest version.</summary>
    public async Task<Page<ObjectVersion<TPayload>>> ListAsync(VaultProperties vault, string? after, int limit, CancellationToken cancellationToken)
    {
        var heads = await store.ListAsync(new RecordQuery(vault.Name, kind.HeadKind) { After = after, Limit = limit + 1 }, cancellationToken);
        var items = new List<ObjectVersion<TPayload>>();
        foreach (var head in heads.Take(limit))
        {
            items.Add(await DescribeLatestAsync(head, cancellationToken));
        }
        return new Page<ObjectVersion<TPayload>>(items, heads.Count > limit ? heads[limit - 1].Key.Name : null);
    }

    public async Task<Page<ObjectVersion<TPayload>>> ListVersionsAsync(VaultProperties vault, string name, string? after, int limit, CancellationToken cancellationToken)
    {
        var head = await LoadLiveHeadAsync(vault, name, cancellationToken);
        var records = await store.ListAsync(
            new RecordQuery(vault.Name, kind.VersionKind) { Name = Names.Normalize(name), After = after, Limit = limit + 1 },
            cancellationToken);
        var items = records.Take(limit)
            .Select(r => ToVersion(head.Name, r, SealedJson.Decrypt<TPayload>(Barrier, r)))
            .ToList();
        return new Page<ObjectVersion<TPayload>>(items, records.Count > limit ? records[limit - 1].Key.Version : null);
    }

    public async Task<DeletedObject<TPayload>> DeleteAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, kind.Noun.ToLowerInvariant());
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var head = await store.GetAsync(HeadKey(vault, name), cancellationToken);
            if (head is null || head.Deleted is not null)
            {
                throw kind.NotFound(name);
            }
            var now = time.GetUtcNow();
            var deleted = head with { Deleted = now, PurgeAt = now.AddDays(vault.RetentionDays), Updated = now };
            await store.WriteAsync([new RecordWrite.Put(deleted)], cancellationToken);
            return new DeletedObject<TPayload>(await DescribeLatestAsync(deleted, cancellationToken), now, deleted.PurgeAt!.Value);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task<DeletedObject<TPayload>> GetDeletedAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        var head = await LoadDeletedHeadAsync(vault, name, cancellationToken);
        return new DeletedObject<TPayload>(await DescribeLatestAsync(head, cancellationToken), head.Deleted!.Value, head.PurgeAt!.Value);
    }

    public async Task<Page<DeletedObject<TPayload>>> ListDeletedAsync(VaultProperties vault, string? after, int limit, CancellationToken cancellationToken)
    {
        var heads = await store.ListAsync(
            new RecordQuery(vault.Name, kind.HeadKind) { Deleted = DeletedFilter.Deleted, After = after, Limit = limit + 1 },
            cancellationToken);
        var items = new List<DeletedObject<TPayload>>();
        foreach (var head in heads.Take(limit))
        {
            items.Add(new DeletedObject<TPayload>(await DescribeLatestAsync(head, cancellationToken), head.Deleted!.Value, head.PurgeAt!.Value));
        }
        return new Page<DeletedObject<TPayload>>(items, heads.Count > limit ? heads[limit - 1].Key.Name : null);
    }

    public async Task<ObjectVersion<TPayload>> RecoverAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
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
                    $"Purge protection is enabled on this vault: {kind.Noun.ToLowerInvariant()} {name} can be recovered but not purged before its retention ends at {head.PurgeAt:O}.");
            }
            await RemoveAsync(head.Key, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Purges deleted objects whose retention has ended, in every vault. Safe to run on several nodes.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var purged = 0;
        while (true)
        {
            var due = await store.ListDueForPurgeAsync(kind.HeadKind, time.GetUtcNow(), 100, cancellationToken);
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
            new RecordQuery(vault.Name, kind.VersionKind) { Name = Names.Normalize(name), Limit = MaxBackupVersions + 1 },
            cancellationToken);
        if (versions.Count > MaxBackupVersions)
        {
            throw E.BadParameter($"{kind.Noun} {name} has more than {MaxBackupVersions} versions and cannot be backed up.");
        }
        var backup = new BackupPayload<TPayload>(
            BackupFormat,
            head,
            versions.Select(r => new BackupVersion<TPayload>(
                r.Key.Version,
                SealedJson.Decrypt<TPayload>(Barrier, r),
                r.Enabled,
                r.Created.ToUnixTimeMilliseconds(),
                r.Updated.ToUnixTimeMilliseconds())).ToList());
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(backup);
        try
        {
            return Barrier.Encrypt(plaintext, kind.BackupAssociatedData);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Restores a blob made by <see cref="BackupAsync"/> in this deployment; <paramref name="validate"/> checks each version's payload before anything is written.</summary>
    public async Task<ObjectVersion<TPayload>> RestoreAsync(VaultProperties vault, byte[] blob, Action<TPayload> validate, CancellationToken cancellationToken)
    {
        var backup = ReadBackup(blob);
        var name = backup.Head.Name;
        Names.ValidateObject(name, kind.Noun.ToLowerInvariant());
        foreach (var v in backup.Versions)
        {
            validate(v.Payload);
        }
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var headKey = HeadKey(vault, name);
            var existing = await store.GetAsync(headKey, cancellationToken);
            if (existing is not null)
            {
                throw existing.Deleted is not null
                    ? kind.DeletedConflict(name)
                    : E.Conflict($"{kind.Noun} {name} already exists in this vault; a backup restores only a {kind.Noun.ToLowerInvariant()} that does not exist.");
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
            ObjectVersion<TPayload>? latest = null;
            foreach (var v in backup.Versions)
            {
                var key = VersionKey(vault, name, v.Version);
                var record = new StoredRecord
                {
                    Key = key,
                    Created = DateTimeOffset.FromUnixTimeMilliseconds(v.Created),
                    Updated = DateTimeOffset.FromUnixTimeMilliseconds(v.Updated),
                    Enabled = v.Enabled,
                    Expires = ExpiresOf(v.Payload),
                    Payload = SealedJson.Encrypt(Barrier, key, v.Payload),
                };
                writes.Add(new RecordWrite.Insert(record));
                if (v.Version == backup.Head.Latest)
                {
                    latest = ToVersion(name, record, v.Payload);
                }
            }
            await store.WriteAsync(writes, cancellationToken);
            return latest!;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>The expiry kept in the clear for a payload, when the payload type exposes one.</summary>
    private static DateTimeOffset? ExpiresOf(TPayload payload) =>
        payload is IExpiringPayload { Expires: { } exp } ? DateTimeOffset.FromUnixTimeSeconds(exp) : null;

    private BackupPayload<TPayload> ReadBackup(byte[] blob)
    {
        BackupPayload<TPayload>? backup;
        try
        {
            var plaintext = Barrier.Decrypt(blob, kind.BackupAssociatedData);
            try
            {
                backup = JsonSerializer.Deserialize<BackupPayload<TPayload>>(plaintext);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }
        catch (Exception ex) when (ex is BarrierException or JsonException)
        {
            throw InvalidBackup();
        }
        if (backup is null || backup.Format != BackupFormat || backup.Head is null || backup.Versions is not { Count: > 0 }
            || !backup.Versions.Any(v => v.Version == backup.Head.Latest)
            || backup.Versions.Any(v => v.Version is null || !IsVersionId(v.Version) || v.Payload is null))
        {
            throw InvalidBackup();
        }
        return backup;
    }

    private static Errors.KeyhubException InvalidBackup() =>
        E.BadParameter("The backup blob is invalid, corrupted, or was made by another Keyhub deployment.");

    private async Task RemoveAsync(RecordKey headKey, CancellationToken cancellationToken)
    {
        var purged = AfterPurge is null ? null : await ReadAllVersionsAsync(headKey, cancellationToken);
        await RemoveRecordsAsync(headKey, cancellationToken);
        if (purged is not null)
        {
            AfterPurge!(purged);
        }
    }

    private async Task<List<TPayload>> ReadAllVersionsAsync(RecordKey headKey, CancellationToken cancellationToken)
    {
        var payloads = new List<TPayload>();
        string? after = null;
        while (true)
        {
            var page = await store.ListAsync(
                new RecordQuery(headKey.Vault, kind.VersionKind) { Name = headKey.Name, Deleted = DeletedFilter.Any, After = after, Limit = 200 },
                cancellationToken);
            payloads.AddRange(page.Select(r => SealedJson.Decrypt<TPayload>(Barrier, r)));
            if (page.Count < 200)
            {
                return payloads;
            }
            after = page[^1].Key.Version;
        }
    }

    private async Task RemoveRecordsAsync(RecordKey headKey, CancellationToken cancellationToken)
    {
        var writes = new List<RecordWrite>
        {
            new RecordWrite.RemoveAll(headKey.Vault, kind.VersionKind, headKey.Name),
            new RecordWrite.Remove(headKey),
        };
        writes.AddRange(kind.AttachedKinds.Select(k => new RecordWrite.RemoveAll(headKey.Vault, k, headKey.Name)));
        await store.WriteAsync(writes, cancellationToken);
        await store.CompactAsync(cancellationToken);
    }

    private async Task<(HeadPayload Head, StoredRecord Version)> LoadVersionAsync(VaultProperties vault, string name, string? version, CancellationToken cancellationToken)
    {
        var head = await LoadLiveHeadAsync(vault, name, cancellationToken);
        if (string.IsNullOrEmpty(version))
        {
            version = head.Latest;
        }
        else if (!IsVersionId(version))
        {
            throw kind.NotFound(name, version);
        }
        var record = await store.GetAsync(VersionKey(vault, name, version.ToLowerInvariant()), cancellationToken)
            ?? throw kind.NotFound(name, version);
        return (head, record);
    }

    private async Task<HeadPayload> LoadLiveHeadAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, kind.Noun.ToLowerInvariant());
        var head = await store.GetAsync(HeadKey(vault, name), cancellationToken);
        if (head is null || head.Deleted is not null)
        {
            throw kind.NotFound(name);
        }
        return SealedJson.Decrypt<HeadPayload>(Barrier, head);
    }

    private async Task<StoredRecord> LoadDeletedHeadAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, kind.Noun.ToLowerInvariant());
        var head = await store.GetAsync(HeadKey(vault, name), cancellationToken);
        return head is { Deleted: not null } ? head : throw kind.DeletedNotFound(name);
    }

    private async Task<ObjectVersion<TPayload>> DescribeLatestAsync(StoredRecord headRecord, CancellationToken cancellationToken)
    {
        var head = SealedJson.Decrypt<HeadPayload>(Barrier, headRecord);
        var key = headRecord.Key with { Kind = kind.VersionKind, Version = head.Latest };
        var record = await store.GetAsync(key, cancellationToken) ?? throw new BarrierException();
        return ToVersion(head.Name, record, SealedJson.Decrypt<TPayload>(Barrier, record));
    }

    private static ObjectVersion<TPayload> ToVersion(string name, StoredRecord record, TPayload payload) =>
        new(name, record.Key.Version, payload, record.Enabled, record.Expires, record.Created, record.Updated);

    private static bool IsVersionId(string version) => version.Length == 32 && version.All(char.IsAsciiHexDigit);

    private RecordKey HeadKey(VaultProperties vault, string name) => new(vault.Name, kind.HeadKind, Names.Normalize(name), "");

    private RecordKey VersionKey(VaultProperties vault, string name, string version) => new(vault.Name, kind.VersionKind, Names.Normalize(name), version);
}

/// <summary>A payload that carries an expiry (Unix seconds), mirrored in the record's clear-text expiry column.</summary>
public interface IExpiringPayload
{
    long? Expires { get; }
}
