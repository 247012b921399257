using Keyhub.Core.Barrier;
using Keyhub.Core.Errors;
using Keyhub.Core.Seal;
using Keyhub.Core.Secrets;
using Keyhub.Core.Storage;
using Keyhub.Core.Tests.Support;
using Keyhub.Core.Vaults;
using Microsoft.Extensions.Time.Testing;

namespace Keyhub.Core.Tests.Seal;

public sealed class BarrierReencryptionTests : IDisposable
{
    private static readonly VaultProperties Vault = new() { Name = "hub", RetentionDays = 7 };
    private static CancellationToken Ct => CancellationToken.None;
    private readonly InMemoryRecordStore _store = new();
    private readonly FakeTimeProvider _time = new(TestDeployment.Start);
    private readonly InMemorySeal _sealKey = InMemorySeal.CreateRandom();
    private readonly List<SealManager> _managers = [];

    public void Dispose()
    {
        foreach (var manager in _managers)
        {
            manager.Dispose();
        }
    }

    [Fact]
    public async Task Reencryption_moves_every_record_to_the_active_term_after_which_the_old_term_retires_and_everything_still_reads_after_a_restart()
    {
        var manager = await OpenAsync();
        var secrets = new SecretEngine(_store, manager, _time);
        for (var i = 0; i < 30; i++)
        {
            await secrets.SetAsync(Vault, $"before-{i}", new NewSecret($"value {i}"), Ct);
        }
        await secrets.DeleteAsync(Vault, "before-0", Ct);
        Assert.Equal(2u, await manager.RotateBarrierAsync(Ct));
        await secrets.SetAsync(Vault, "after", new NewSecret("new value"), Ct);
        Assert.Contains(1u, await TermsInUseAsync());

        var progress = await ReencryptAllAsync(manager, pageSize: 7);

        Assert.True(progress > 30);
        Assert.Equal([2u], await TermsInUseAsync());
        var status = manager.Status();
        Assert.Equal(0, status.Terms.Single(t => t.Term == 1).Records);
        Assert.True(status.Terms.Single(t => t.Term == 2).Records > 60);
        _time.Advance(new BarrierPolicy().RetireAfter);

        Assert.Equal([2u], await manager.RetireTermAsync(1, Ct));

        Assert.Equal([2u], manager.Status().Terms.Select(t => t.Term));
        var restarted = await OpenAsync();
        var reread = new SecretEngine(_store, restarted, _time);
        Assert.Equal("value 7", (await reread.GetAsync(Vault, "before-7", null, Ct)).Value);
        Assert.Equal("new value", (await reread.GetAsync(Vault, "after", null, Ct)).Value);
        await reread.RecoverAsync(Vault, "before-0", Ct);
        Assert.Equal("value 0", (await reread.GetAsync(Vault, "before-0", null, Ct)).Value);
        Assert.Equal([2u], restarted.Status().Terms.Select(t => t.Term));
    }

    [Fact]
    public async Task A_term_that_still_encrypts_records_or_stopped_too_recently_or_is_active_is_not_retired()
    {
        var manager = await OpenAsync();
        var secrets = new SecretEngine(_store, manager, _time);
        await secrets.SetAsync(Vault, "old", new NewSecret("v"), Ct);
        await manager.RotateBarrierAsync(Ct);

        var tooSoon = await Assert.ThrowsAsync<KeyhubException>(() => manager.RetireTermAsync(1, Ct));
        _time.Advance(TimeSpan.FromMinutes(10));
        var stillUsed = await Assert.ThrowsAsync<KeyhubException>(() => manager.RetireTermAsync(1, Ct));
        var active = await Assert.ThrowsAsync<KeyhubException>(() => manager.RetireTermAsync(2, Ct));
        var unknown = await Assert.ThrowsAsync<KeyhubException>(() => manager.RetireTermAsync(9, Ct));

        Assert.Equal(409, tooSoon.Status);
        Assert.Contains("can be retired from", tooSoon.Message, StringComparison.Ordinal);
        Assert.Equal(409, stillUsed.Status);
        // The secret's head and its version.
        Assert.Contains("2 record(s) are still encrypted under term 1", stillUsed.Message, StringComparison.Ordinal);
        Assert.Equal(400, active.Status);
        Assert.Equal(404, unknown.Status);
        Assert.Equal([1u, 2u], manager.Status().Terms.Select(t => t.Term));
        Assert.Equal("v", (await secrets.GetAsync(Vault, "old", null, Ct)).Value);
    }

    [Fact]
    public async Task Reencryption_never_overwrites_an_update_made_after_it_read_the_record()
    {
        var racing = new RacingStore(_store);
        var manager = new SealManager(racing, _sealKey, _time);
        _managers.Add(manager);
        await manager.InitializeOrUnsealAsync(Ct);
        var secrets = new SecretEngine(racing, manager, _time);
        await secrets.SetAsync(Vault, "raced", new NewSecret("v1"), Ct);
        await manager.RotateBarrierAsync(Ct);
        // Between the sweep's read and its write, the secret's head moves to a new version.
        racing.AfterScan = () => secrets.SetAsync(Vault, "raced", new NewSecret("v2"), Ct);

        await ReencryptAllAsync(manager, pageSize: 100);

        Assert.Equal("v2", (await secrets.GetAsync(Vault, "raced", null, Ct)).Value);
        Assert.Equal([2u], await TermsInUseAsync());
    }

    [Fact]
    public async Task The_barrier_rotates_by_itself_once_the_active_term_has_encrypted_its_quota_and_the_count_survives_a_restart()
    {
        var policy = new BarrierPolicy { MaxEncryptionsPerTerm = 40, CountBlock = 8, MaxTermAge = null };
        var manager = await OpenAsync(policy);
        var secrets = new SecretEngine(_store, manager, _time);
        for (var i = 0; i < 10; i++)
        {
            await secrets.SetAsync(Vault, $"s{i}", new NewSecret("v"), Ct);
        }
        var counted = manager.Status().ActiveTermEncryptions;
        Assert.InRange(counted, 20, 39);
        Assert.Null(await manager.RotateIfDueAsync(Ct));

        // A crash loses at most the unused part of a block, which then counts as used.
        var restarted = await OpenAsync(policy);
        Assert.InRange(restarted.Status().ActiveTermEncryptions, counted, counted + policy.CountBlock);
        secrets = new SecretEngine(_store, restarted, _time);
        for (var i = 0; i < 10; i++)
        {
            await secrets.SetAsync(Vault, $"t{i}", new NewSecret("v"), Ct);
        }

        Assert.Equal(2u, await restarted.RotateIfDueAsync(Ct));
        Assert.Equal(0, restarted.Status().ActiveTermEncryptions);
        Assert.Null(await restarted.RotateIfDueAsync(Ct));
    }

    [Fact]
    public async Task The_barrier_rotates_by_itself_when_the_active_term_reaches_its_maximum_age()
    {
        var manager = await OpenAsync(new BarrierPolicy { MaxTermAge = TimeSpan.FromDays(30) });

        _time.Advance(TimeSpan.FromDays(29));
        Assert.Null(await manager.RotateIfDueAsync(Ct));
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(2u, await manager.RotateIfDueAsync(Ct));
        _time.Advance(TimeSpan.FromDays(29));
        Assert.Null(await manager.RotateIfDueAsync(Ct));
    }

    [Fact]
    public async Task Encryptions_counted_from_many_threads_are_all_counted()
    {
        var manager = await OpenAsync(new BarrierPolicy { CountBlock = 16 });
        var key = new RecordKey("hub", "secret-version", "s", "v");
        var start = manager.Status().ActiveTermEncryptions;

        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => manager.Barrier.Encrypt(key, [1, 2, 3]));

        Assert.Equal(start + 2000, manager.Status().ActiveTermEncryptions);
    }

    private async Task<SealManager> OpenAsync(BarrierPolicy? policy = null)
    {
        var manager = new SealManager(_store, _sealKey, _time, policy);
        _managers.Add(manager);
        await manager.InitializeOrUnsealAsync(Ct);
        return manager;
    }

    private static async Task<int> ReencryptAllAsync(SealManager manager, int pageSize)
    {
        var total = 0;
        ReencryptionProgress step;
        do
        {
            step = await manager.ReencryptAsync(pageSize, Ct);
            total += step.Reencrypted;
            Assert.Equal(0, step.Unreadable);
        }
        while (!step.PassCompleted);
        return total;
    }

    /// <summary>Terms of every barrier-encrypted record, read from the store itself.</summary>
    private async Task<List<uint>> TermsInUseAsync()
    {
        var records = await _store.ScanAsync(null, int.MaxValue, Ct);
        return [.. records
            .Where(r => r.Payload.Length > 0 && !(r.Key.Vault == SystemVault.Name && r.Key.Kind is "seal" or "keyring"))
            .Select(r => RecordBarrier.TermOf(r.Payload))
            .Distinct()
            .Order()];
    }

    private sealed class RacingStore(IRecordStore inner) : IRecordStore
    {
        public Func<Task>? AfterScan;

        public int FormatVersion => inner.FormatVersion;

        public Task<StoredRecord?> GetAsync(RecordKey key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

        public Task<IReadOnlyList<StoredRecord>> ListAsync(RecordQuery query, CancellationToken cancellationToken) => inner.ListAsync(query, cancellationToken);

        public Task<IReadOnlyList<RecordKey>> ListDueForPurgeAsync(string kind, DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
            inner.ListDueForPurgeAsync(kind, now, limit, cancellationToken);

        public async Task<IReadOnlyList<StoredRecord>> ScanAsync(RecordKey? after, int limit, CancellationToken cancellationToken)
        {
            var page = await inner.ScanAsync(after, limit, cancellationToken);
            if (Interlocked.Exchange(ref AfterScan, null) is { } race)
            {
                await race();
            }
            return page;
        }

        public Task WriteAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken) => inner.WriteAsync(writes, cancellationToken);

        public Task CompactAsync(CancellationToken cancellationToken) => inner.CompactAsync(cancellationToken);

        public long ChangeStamp(string vault, string kind) => inner.ChangeStamp(vault, kind);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
