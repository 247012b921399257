using Keyhub.Core.Storage;

namespace Keyhub.Core.Tests.Storage;

public sealed class CachingRecordStoreTests : RecordStoreContractTests
{
    protected override Task<IRecordStore> CreateStoreAsync() =>
        Task.FromResult<IRecordStore>(new CachingRecordStore(new InMemoryRecordStore()));

    [Fact]
    public async Task A_cached_record_is_served_without_reading_the_inner_store()
    {
        var inner = new CountingStore(new InMemoryRecordStore());
        await using var store = new CachingRecordStore(inner);
        await PutAsync(store, Record("alpha"));

        await store.GetAsync(Key("alpha"), Ct);
        await store.GetAsync(Key("alpha"), Ct);
        await store.GetAsync(Key("alpha"), Ct);

        Assert.Equal(1, inner.Gets);
    }

    [Fact]
    public async Task Every_kind_of_write_is_seen_by_the_next_read()
    {
        await using var store = new CachingRecordStore(new InMemoryRecordStore());
        await PutAsync(store, Record("alpha", payload: [1]), Record("beta", "v1"), Record("beta", "v2"));
        await store.GetAsync(Key("alpha"), Ct);
        await store.GetAsync(Key("beta", "v1"), Ct);
        await store.GetAsync(Key("beta", "v2"), Ct);

        await PutAsync(store, Record("alpha", payload: [2]));
        Assert.Equal([2], await PayloadAsync(store, Key("alpha")));
        await store.WriteAsync([new RecordWrite.Remove(Key("alpha"))], Ct);
        Assert.Null(await store.GetAsync(Key("alpha"), Ct));
        await store.WriteAsync([new RecordWrite.RemoveAll("vault-a", "secret", "beta")], Ct);
        Assert.Null(await store.GetAsync(Key("beta", "v1"), Ct));
        Assert.Null(await store.GetAsync(Key("beta", "v2"), Ct));
    }

    [Fact]
    public async Task A_read_that_raced_a_write_does_not_put_the_old_record_back()
    {
        var inner = new CountingStore(new InMemoryRecordStore());
        await using var store = new CachingRecordStore(inner);
        await PutAsync(store, Record("alpha", payload: [1]));

        // The read fetches the old record, then stalls; the write commits and finishes meanwhile.
        var fetched = new TaskCompletionSource();
        var resume = new TaskCompletionSource();
        inner.AfterGet = async () =>
        {
            fetched.SetResult();
            await resume.Task;
        };
        var staleRead = store.GetAsync(Key("alpha"), Ct);
        await fetched.Task;
        inner.AfterGet = null;
        await PutAsync(store, Record("alpha", payload: [2]));
        resume.SetResult();

        Assert.Equal([1], (await staleRead)!.Payload);
        Assert.Equal([2], await PayloadAsync(store, Key("alpha")));
    }

    [Fact]
    public async Task A_failed_batch_leaves_nothing_stale_behind()
    {
        await using var store = new CachingRecordStore(new InMemoryRecordStore());
        await PutAsync(store, Record("alpha", payload: [1]), Record("beta"));
        await store.GetAsync(Key("alpha"), Ct);

        await Assert.ThrowsAsync<RecordConflictException>(() => store.WriteAsync(
            [new RecordWrite.Put(Record("alpha", payload: [2])), new RecordWrite.Insert(Record("beta"))], Ct));

        Assert.Equal([1], await PayloadAsync(store, Key("alpha")));
    }

    [Fact]
    public async Task Changing_a_returned_payload_does_not_change_the_cache()
    {
        await using var store = new CachingRecordStore(new InMemoryRecordStore());
        await PutAsync(store, Record("alpha", payload: [1, 2, 3]));

        (await store.GetAsync(Key("alpha"), Ct))!.Payload[0] = 9;
        (await store.GetAsync(Key("alpha"), Ct))!.Payload[1] = 9;

        Assert.Equal([1, 2, 3], await PayloadAsync(store, Key("alpha")));
    }

    [Fact]
    public async Task The_cache_stays_within_its_capacity_and_keeps_answering()
    {
        var inner = new CountingStore(new InMemoryRecordStore());
        await using var store = new CachingRecordStore(inner, capacity: 4);
        await PutAsync(store, [.. Enumerable.Range(0, 10).Select(i => Record($"n{i}", payload: [(byte)i]))]);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal([(byte)i], await PayloadAsync(store, Key($"n{i}")));
        }

        Assert.Equal(10, inner.Gets);
        Assert.Equal([9], await PayloadAsync(store, Key("n9")));
        Assert.Equal(10, inner.Gets);
    }

    [Fact]
    public async Task A_scan_through_many_records_does_not_push_out_one_in_steady_use()
    {
        var inner = new CountingStore(new InMemoryRecordStore());
        await using var store = new CachingRecordStore(inner, capacity: 10);
        await PutAsync(store, [Record("hot"), .. Enumerable.Range(0, 100).Select(i => Record($"scan{i}"))]);

        for (var i = 0; i < 100; i++)
        {
            if (i % 3 == 0)
            {
                await store.GetAsync(Key("hot"), Ct);
            }
            await store.GetAsync(Key($"scan{i}"), Ct);
        }

        Assert.Equal(101, inner.Gets);
    }

    /// <summary>Counts point reads and can pause one after it has read, to stage a race.</summary>
    private sealed class CountingStore(IRecordStore inner) : IRecordStore
    {
        public int Gets;
        public Func<Task>? AfterGet;

        public int FormatVersion => inner.FormatVersion;

        public async Task<StoredRecord?> GetAsync(RecordKey key, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Gets);
            var record = await inner.GetAsync(key, cancellationToken);
            if (AfterGet is { } after)
            {
                await after();
            }
            return record;
        }

        public Task<IReadOnlyList<StoredRecord>> ListAsync(RecordQuery query, CancellationToken cancellationToken) => inner.ListAsync(query, cancellationToken);

        public Task<IReadOnlyList<RecordKey>> ListDueForPurgeAsync(string kind, DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
            inner.ListDueForPurgeAsync(kind, now, limit, cancellationToken);

        public Task<IReadOnlyList<StoredRecord>> ScanAsync(RecordKey? after, int limit, CancellationToken cancellationToken) =>
            inner.ScanAsync(after, limit, cancellationToken);

        public Task WriteAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken) => inner.WriteAsync(writes, cancellationToken);

        public Task CompactAsync(CancellationToken cancellationToken) => inner.CompactAsync(cancellationToken);

        public long ChangeStamp(string vault, string kind) => inner.ChangeStamp(vault, kind);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
