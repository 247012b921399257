namespace Keyhub.Core.Storage;

/// <summary>
/// Durable, transactional, untrusted storage. Implementations see only identifiers, timestamps and
/// ciphertext. Every implementation passes the shared contract suite (RecordStoreContractTests).
/// </summary>
public interface IRecordStore : IAsyncDisposable
{
    /// <summary>Version of the on-disk format this store has migrated to.</summary>
    int FormatVersion { get; }

    Task<StoredRecord?> GetAsync(RecordKey key, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredRecord>> ListAsync(RecordQuery query, CancellationToken cancellationToken);

    /// <summary>Records of one kind (all vaults) whose <see cref="StoredRecord.PurgeAt"/> is at or before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<RecordKey>> ListDueForPurgeAsync(string kind, DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Every record of every vault and kind (deleted ones too), in key order — (vault, kind, name, version),
    /// ordinal — starting after <paramref name="after"/> (exclusive; null for the beginning). For maintenance
    /// sweeps such as re-encrypting records under the newest barrier term.
    /// </summary>
    Task<IReadOnlyList<StoredRecord>> ScanAsync(RecordKey? after, int limit, CancellationToken cancellationToken);

    /// <summary>Applies every write or none; acknowledged only once durable.</summary>
    Task WriteAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken);

    /// <summary>
    /// Makes removals physical: after this returns no removed payload remains in the store's files
    /// (for SQLite: a truncating WAL checkpoint with secure_delete on).
    /// </summary>
    Task CompactAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A value that changes once a write touching (<paramref name="vault"/>, <paramref name="kind"/>) has
    /// committed, and is cheap to read on every request. Read it before reading the records a cache is
    /// built from; the cache is current while the stamp is unchanged.
    /// </summary>
    long ChangeStamp(string vault, string kind);
}
