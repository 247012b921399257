using System.Collections.Concurrent;

namespace Keyhub.Core.Storage;

/// <summary>
/// Keeps the records point reads return (ciphertext, as stored) in memory, in front of a store that this
/// process alone writes (the server holds the data folder's exclusive lock), so hot reads skip the
/// database. Lists pass through. Like a page cache it sits below the barrier: nothing decrypted is kept.
/// </summary>
/// <remarks>
/// Every write goes to the inner store first and then evicts the keys it touched, so a read that starts
/// after a write is acknowledged sees it. A read that raced the write must not put back what it read
/// before the write committed: it may cache its result only if no write finished since it began.
/// </remarks>
public sealed class CachingRecordStore(IRecordStore inner, int capacity = CachingRecordStore.DefaultCapacity) : IRecordStore
{
    public const int DefaultCapacity = 10_000;

    private readonly ConcurrentDictionary<RecordKey, StoredRecord> _records = new();
    private readonly Lock _gate = new();
    private long _writesFinished;

    public int FormatVersion => inner.FormatVersion;

    public async Task<StoredRecord?> GetAsync(RecordKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_records.TryGetValue(key, out var cached))
        {
            return Copy(cached);
        }
        var before = Volatile.Read(ref _writesFinished);
        var record = await inner.GetAsync(key, cancellationToken);
        if (record is not null)
        {
            lock (_gate)
            {
                if (_writesFinished == before)
                {
                    if (_records.Count >= capacity)
                    {
                        _records.Clear();
                    }
                    _records[key] = Copy(record);
                }
            }
        }
        return record;
    }

    public Task<IReadOnlyList<StoredRecord>> ListAsync(RecordQuery query, CancellationToken cancellationToken) =>
        inner.ListAsync(query, cancellationToken);

    public Task<IReadOnlyList<RecordKey>> ListDueForPurgeAsync(string kind, DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        inner.ListDueForPurgeAsync(kind, now, limit, cancellationToken);

    public async Task WriteAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        try
        {
            await inner.WriteAsync(writes, cancellationToken);
        }
        finally
        {
            // Also after a failure: whether a failed commit reached the disk is not always knowable.
            Evict(writes);
        }
    }

    public Task CompactAsync(CancellationToken cancellationToken) => inner.CompactAsync(cancellationToken);

    public long ChangeStamp(string vault, string kind) => inner.ChangeStamp(vault, kind);

    public ValueTask DisposeAsync()
    {
        _records.Clear();
        return inner.DisposeAsync();
    }

    private void Evict(IReadOnlyList<RecordWrite> writes)
    {
        lock (_gate)
        {
            _writesFinished++;
            foreach (var write in writes)
            {
                switch (write)
                {
                    case RecordWrite.Put put:
                        _records.TryRemove(put.Record.Key, out _);
                        break;
                    case RecordWrite.Insert insert:
                        _records.TryRemove(insert.Record.Key, out _);
                        break;
                    case RecordWrite.Remove remove:
                        _records.TryRemove(remove.Key, out _);
                        break;
                    case RecordWrite.RemoveAll all:
                        foreach (var key in _records.Keys)
                        {
                            if (key.Vault == all.Vault && key.Kind == all.Kind && key.Name == all.Name)
                            {
                                _records.TryRemove(key, out _);
                            }
                        }
                        break;
                }
            }
        }
    }

    // Callers own what they are given; the cached copy must not change under the next reader.
    private static StoredRecord Copy(StoredRecord record) => record with { Payload = (byte[])record.Payload.Clone() };
}
