using System.Text.Json;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Seal;

/// <summary>
/// Counts encryptions under the active barrier term so the term can be rotated before it nears AES-GCM's limit,
/// across restarts and crashes: the count is made durable in blocks reserved ahead of use (the clear record
/// <c>_sys/keyring/usage</c>: a count is no secret), and a start takes its predecessor's whole reservation as used.
/// </summary>
internal sealed class TermUsage
{
    internal static readonly RecordKey Record = new(SystemVault.Name, "keyring", "usage", "");
    private readonly IRecordStore _store;
    private readonly TimeProvider _time;
    private readonly long _block;
    private readonly Lock _gate = new();
    private long _count;
    private long _reserved;
    private Task? _reserving;

    private TermUsage(IRecordStore store, TimeProvider time, uint term, long block, long start)
    {
        _store = store;
        _time = time;
        Term = term;
        _block = Math.Max(2, block);
        _count = start;
        _reserved = start;
    }

    public uint Term { get; }

    /// <summary>Encryptions under <see cref="Term"/> so far (an upper bound after a restart).</summary>
    public long Count => Volatile.Read(ref _count);

    public static async Task<TermUsage> StartAsync(IRecordStore store, TimeProvider time, uint term, long block, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(Record, cancellationToken);
        var stored = record is null ? null : JsonSerializer.Deserialize<StoredUsage>(record.Payload);
        var usage = new TermUsage(store, time, term, block, stored is not null && stored.Term == term ? stored.Reserved : 0);
        await usage.ReserveAsync(cancellationToken);
        return usage;
    }

    /// <summary>
    /// Counts one encryption. Reserves the next block when half of the current one is used, so callers only wait
    /// (synchronously, as encryption is) if a whole block went by while that write was on its way.
    /// </summary>
    public void OnEncrypt()
    {
        var n = Interlocked.Increment(ref _count);
        if (n <= Volatile.Read(ref _reserved) - (_block / 2))
        {
            return;
        }
        var reserving = EnsureReserving();
        while (n > Volatile.Read(ref _reserved))
        {
            reserving.GetAwaiter().GetResult();
            reserving = EnsureReserving();
        }
    }

    private Task EnsureReserving()
    {
        lock (_gate)
        {
            if (_reserving is null || _reserving.IsCompleted)
            {
                _reserving = ReserveAsync(CancellationToken.None);
                // Observed here: an encryption that does not wait on a failed reservation retries it next time.
                _reserving.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
            return _reserving;
        }
    }

    private async Task ReserveAsync(CancellationToken cancellationToken)
    {
        var target = Math.Max(Volatile.Read(ref _reserved), Volatile.Read(ref _count)) + _block;
        var now = _time.GetUtcNow();
        await _store.WriteAsync(
            [new RecordWrite.Put(new StoredRecord
            {
                Key = Record,
                Created = now,
                Updated = now,
                Payload = JsonSerializer.SerializeToUtf8Bytes(new StoredUsage(Term, target)),
            })],
            cancellationToken);
        Volatile.Write(ref _reserved, target);
    }

    // A stored format: the JSON names are fixed.
    private sealed record StoredUsage(uint Term, long Reserved);
}
