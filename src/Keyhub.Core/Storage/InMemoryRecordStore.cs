namespace Keyhub.Core.Storage;

/// <summary>A test double of <see cref="IRecordStore"/> that keeps everything in a sorted dictionary.</summary>
public sealed class InMemoryRecordStore : IRecordStore
{
    private readonly SortedDictionary<RecordKey, StoredRecord> _records = new(RecordKeyComparer.Instance);
    private readonly Lock _gate = new();
    private readonly ChangeStamps _stamps = new();

    public int FormatVersion => 1;

    public Task<StoredRecord?> GetAsync(RecordKey key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_records.TryGetValue(key, out var record) ? Copy(record) : null);
        }
    }

    public Task<IReadOnlyList<StoredRecord>> ListAsync(RecordQuery query, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<StoredRecord> page = _records.Values
                .Where(r => r.Key.Vault == query.Vault && r.Key.Kind == query.Kind)
                .Where(r => query.Name is null || r.Key.Name == query.Name)
                .Where(r => query.Deleted switch
                {
                    DeletedFilter.Live => r.Deleted is null,
                    DeletedFilter.Deleted => r.Deleted is not null,
                    _ => true,
                })
                .Where(r => query.After is null
                    || string.CompareOrdinal(query.Name is null ? r.Key.Name : r.Key.Version, query.After) > 0)
                .Take(query.Limit)
                .Select(Copy)
                .ToList();
            return Task.FromResult(page);
        }
    }

    public Task<IReadOnlyList<RecordKey>> ListDueForPurgeAsync(string kind, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<RecordKey> due = _records.Values
                .Where(r => r.Key.Kind == kind && r.PurgeAt is { } at && at <= now)
                .Take(limit)
                .Select(r => r.Key)
                .ToList();
            return Task.FromResult(due);
        }
    }

    public Task<IReadOnlyList<StoredRecord>> ScanAsync(RecordKey? after, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<StoredRecord> page = _records
                .Where(pair => after is null || RecordKeyComparer.Instance.Compare(pair.Key, after) > 0)
                .Take(Math.Max(0, limit))
                .Select(pair => Copy(pair.Value))
                .ToList();
            return Task.FromResult(page);
        }
    }

    public Task WriteAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var staged = new SortedDictionary<RecordKey, StoredRecord>(_records, RecordKeyComparer.Instance);
            foreach (var write in writes)
            {
                switch (write)
                {
                    case RecordWrite.Put put:
                        staged[put.Record.Key] = Copy(put.Record);
                        break;
                    case RecordWrite.Insert insert:
                        if (!staged.TryAdd(insert.Record.Key, Copy(insert.Record)))
                        {
                            throw new RecordConflictException(insert.Record.Key);
                        }
                        break;
                    case RecordWrite.Remove remove:
                        staged.Remove(remove.Key);
                        break;
                    case RecordWrite.SwapPayload swap:
                        if (!staged.TryGetValue(swap.Key, out var current) || !current.Payload.AsSpan().SequenceEqual(swap.Expected))
                        {
                            throw new RecordConflictException(swap.Key);
                        }
                        staged[swap.Key] = current with { Payload = (byte[])swap.Payload.Clone() };
                        break;
                    case RecordWrite.RemoveAll all:
                        foreach (var key in staged.Keys.Where(k => k.Vault == all.Vault && k.Kind == all.Kind && k.Name == all.Name).ToList())
                        {
                            staged.Remove(key);
                        }
                        break;
                    default:
                        throw new ArgumentException("Unknown write.", nameof(writes));
                }
            }
            _records.Clear();
            foreach (var pair in staged)
            {
                _records[pair.Key] = pair.Value;
            }
            _stamps.Advance(writes);
        }
        return Task.CompletedTask;
    }

    public long ChangeStamp(string vault, string kind) => _stamps.Get(vault, kind);

    public Task CompactAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static StoredRecord Copy(StoredRecord record) => record with { Payload = (byte[])record.Payload.Clone() };

    private sealed class RecordKeyComparer : IComparer<RecordKey>
    {
        public static readonly RecordKeyComparer Instance = new();

        public int Compare(RecordKey? x, RecordKey? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }
            if (x is null)
            {
                return -1;
            }
            if (y is null)
            {
                return 1;
            }
            var c = string.CompareOrdinal(x.Vault, y.Vault);
            if (c == 0)
            {
                c = string.CompareOrdinal(x.Kind, y.Kind);
            }
            if (c == 0)
            {
                c = string.CompareOrdinal(x.Name, y.Name);
            }
            return c != 0 ? c : string.CompareOrdinal(x.Version, y.Version);
        }
    }
}
