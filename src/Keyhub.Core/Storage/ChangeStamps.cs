using System.Collections.Concurrent;

namespace Keyhub.Core.Storage;

/// <summary>
/// One counter per (vault, kind), advanced after every committed write that touches it. Caches of data
/// derived from records (authorization snapshots, validated tokens) compare a stamp read before they
/// read the records with the current one, so a change counts at the very next request.
/// </summary>
/// <remarks>
/// Stamps are drawn from one process-wide sequence, so a stamp never repeats for a (vault, kind), even
/// across stores. They only see writes made through this process: a store whose storage other
/// processes may write must derive them from the storage itself.
/// </remarks>
public sealed class ChangeStamps
{
    private static long s_sequence;
    private readonly ConcurrentDictionary<(string Vault, string Kind), long> _stamps = new();

    public long Get(string vault, string kind) => _stamps.TryGetValue((vault, kind), out var stamp) ? stamp : 0;

    /// <summary>Call once the batch is durable: a reader that sees the new stamp then also sees the new records.</summary>
    public void Advance(IReadOnlyList<RecordWrite> writes)
    {
        foreach (var write in writes)
        {
            var (vault, kind) = write switch
            {
                RecordWrite.Put put => (put.Record.Key.Vault, put.Record.Key.Kind),
                RecordWrite.Insert insert => (insert.Record.Key.Vault, insert.Record.Key.Kind),
                RecordWrite.Remove remove => (remove.Key.Vault, remove.Key.Kind),
                RecordWrite.SwapPayload swap => (swap.Key.Vault, swap.Key.Kind),
                RecordWrite.RemoveAll all => (all.Vault, all.Kind),
                _ => throw new ArgumentException("Unknown write.", nameof(writes)),
            };
            _stamps[(vault, kind)] = Interlocked.Increment(ref s_sequence);
        }
    }
}
