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

    // Two generations approximate LRU cheaply: new entries go to the hot one; when it is full it becomes
    // the cold one (the old cold one is dropped), and a hit in the cold one moves the entry back. A scan
    // such as listing every secret thus pushes out at most one generation, not what is in steady use.
    private volatile ConcurrentDictionary<RecordKey, StoredRecord> _hot = new();
    private volatile ConcurrentDictionary<RecordKey, StoredRecord> _cold = new();
    private readonly Lock _gate = new();
    private long _writesFinished;

    public int FormatVersion => inner.FormatVersion;

    public async Task<StoredRecord?> GetAsync(RecordKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_hot.TryGetValue(key, out var cached))
        {
            return Copy(cached);
        }
        if (_cold.ContainsKey(key))
        {
            lock (_gate)
            {
                // Under the gate, so an eviction cannot slip between the lookup and the move.
                if (_cold.TryGetValue(key, out cached))
                {
                    Add(key, cached);
                    return Copy(cached);
                }
            }
        }
        var before = Volatile.Read(ref _writesFinished);
        var record = await inner.GetAsync(key, cancellationToken);
        if (record is not null)
        {
            lock (_gate)
            {
                if (_writesFinished == before)
                {
                    Add(key, Copy(record));
                }
            }
        }
        return record;
    }

    public Task<IReadOnlyList<StoredRecord>> ListAsync(RecordQuery query, CancellationToken cancellationToken) =>
        inner.ListAsync(query, cancellationToken);

    public Task<IReadOnlyList<RecordKey>> ListDueForPurgeAsync(string kind, DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        inner.ListDueForPurgeAsync(kind, now, limit, cancellationToken);

    public Task<IReadOnlyList<StoredRecord>> ScanAsync(RecordKey? after, int limit, CancellationToken cancellationToken) =>
        inner.ScanAsync(after, limit, cancellationToken);

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
        lock (_gate)
        {
            _hot = new();
            _cold = new();
        }
        return inner.DisposeAsync();
    }

    // Callers hold the gate.
    private void Add(RecordKey key, StoredRecord record)
    {
        if (_hot.Count >= Math.Max(1, capacity / 2))
        {
            _cold = _hot;
            _hot = new();
        }
        _hot[key] = record;
    }

    private void Remove(RecordKey key)
    {
        _hot.TryRemove(key, out _);
        _cold.TryRemove(key, out _);
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
                        Remove(put.Record.Key);
                        break;
                    case RecordWrite.Insert insert:
                        Remove(insert.Record.Key);
                        break;
                    case RecordWrite.Remove remove:
                        Remove(remove.Key);
                        break;
                    case RecordWrite.SwapPayload swap:
                        Remove(swap.Key);
                        break;
                    case RecordWrite.RemoveAll all:
                        foreach (var key in _hot.Keys.Concat(_cold.Keys))
                        {
                            if (key.Vault == all.Vault && key.Kind == all.Kind && key.Name == all.Name)
                            {
                                Remove(key);
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
