using Keyhub.Core.Barrier;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Seal;

/// <summary>One term of the keyring as the status reports it.</summary>
public sealed record BarrierTermStatus(uint Term, DateTimeOffset Created, bool Active, long? Records);

/// <summary>
/// The barrier's state: its terms (with how many records each held at the end of the last full re-encryption
/// pass), the active term's encryption count, and the policy's limits.
/// </summary>
public sealed record BarrierStatus(
    uint ActiveTerm,
    IReadOnlyList<BarrierTermStatus> Terms,
    long ActiveTermEncryptions,
    long MaxEncryptionsPerTerm,
    TimeSpan? MaxTermAge,
    DateTimeOffset? LastPassCompleted);

/// <summary>What one re-encryption step did; <see cref="PassCompleted"/> once the sweep reached the end of the store.</summary>
public sealed record ReencryptionProgress(int Scanned, int Reencrypted, int Unreadable, bool PassCompleted);

/// <summary>Re-encryption of records under the newest term, and retirement of terms nothing uses any more.</summary>
public sealed partial class SealManager
{
    private readonly Lock _passGate = new();
    // One re-encryption step at a time (the background job and an operator's pass may overlap), so the sweep's
    // cursor and per-term counts describe one pass.
    private readonly SemaphoreSlim _passRun = new(1, 1);
    private RecordKey? _passCursor;
    private Dictionary<uint, long> _passCounts = [];
    private Dictionary<uint, long>? _lastPassCounts;
    private DateTimeOffset? _lastPassCompleted;

    /// <summary>True while some record may still be encrypted under a term older than the active one.</summary>
    public bool ReencryptionPending
    {
        get
        {
            var ring = _keyRing;
            lock (_passGate)
            {
                return ring is not null && (_lastPassCounts is null || _lastPassCounts.Keys.Any(t => t != ring.ActiveTerm));
            }
        }
    }

    /// <summary>
    /// Re-encrypts up to <paramref name="limit"/> records, continuing a sweep over the whole store from where the
    /// last call stopped. Each record is replaced only if its payload is still what was read
    /// (<see cref="RecordWrite.SwapPayload"/>): a concurrent update wins, and is already under the active term.
    /// </summary>
    public async Task<ReencryptionProgress> ReencryptAsync(int limit, CancellationToken cancellationToken)
    {
        await _passRun.WaitAsync(cancellationToken);
        try
        {
            return await ReencryptStepAsync(limit, cancellationToken);
        }
        finally
        {
            _passRun.Release();
        }
    }

    /// <summary>Continues the sweep page by page until it reaches the end of the store; returns the totals.</summary>
    public async Task<ReencryptionProgress> ReencryptToEndAsync(int pageSize, CancellationToken cancellationToken)
    {
        int scanned = 0, reencrypted = 0, unreadable = 0;
        while (true)
        {
            var step = await ReencryptAsync(pageSize, cancellationToken);
            scanned += step.Scanned;
            reencrypted += step.Reencrypted;
            unreadable += step.Unreadable;
            if (step.PassCompleted)
            {
                return new ReencryptionProgress(scanned, reencrypted, unreadable, PassCompleted: true);
            }
            // A sweep must not crowd out requests on a small machine.
            await Task.Yield();
        }
    }

    private async Task<ReencryptionProgress> ReencryptStepAsync(int limit, CancellationToken cancellationToken)
    {
        var barrier = Barrier;
        RecordKey? after;
        lock (_passGate)
        {
            after = _passCursor;
        }
        var page = await store.ScanAsync(after, limit, cancellationToken);
        var swaps = new List<RecordWrite.SwapPayload>();
        var counts = new Dictionary<uint, long>();
        var unreadable = 0;
        foreach (var record in page)
        {
            if (!IsBarrierRecord(record))
            {
                continue;
            }
            try
            {
                var payload = barrier.Reencrypt(record.Key, record.Payload);
                var term = payload is null ? RecordBarrier.TermOf(record.Payload) : barrier.ActiveTerm;
                counts[term] = counts.GetValueOrDefault(term) + 1;
                if (payload is not null)
                {
                    swaps.Add(new RecordWrite.SwapPayload(record.Key, record.Payload, payload));
                }
            }
            catch (BarrierException)
            {
                // Left as it is and counted under its term, which then cannot be retired: better than losing it.
                unreadable++;
                var term = RecordBarrier.TermOf(record.Payload);
                counts[term] = counts.GetValueOrDefault(term) + 1;
            }
        }
        await SwapAsync(swaps, cancellationToken);
        lock (_passGate)
        {
            foreach (var (term, count) in counts)
            {
                _passCounts[term] = _passCounts.GetValueOrDefault(term) + count;
            }
            var completed = page.Count < limit;
            if (completed)
            {
                _lastPassCounts = _passCounts;
                _lastPassCompleted = time.GetUtcNow();
                _passCounts = [];
                _passCursor = null;
            }
            else
            {
                _passCursor = page[^1].Key;
            }
            return new ReencryptionProgress(page.Count, swaps.Count, unreadable, completed);
        }
    }

    /// <summary>
    /// Removes <paramref name="term"/> from the keyring after checking, by reading every record, that none is
    /// encrypted under it. Refused for the active term and for a term superseded less than
    /// <see cref="BarrierPolicy.RetireAfter"/> ago. Backups taken under a retired term can no longer be restored.
    /// </summary>
    public async Task<IReadOnlyList<uint>> RetireTermAsync(uint term, CancellationToken cancellationToken)
    {
        await _rotateGate.WaitAsync(cancellationToken);
        try
        {
            var current = _keyRing ?? throw Errors.Errors.Sealed();
            if (!current.Terms.Contains(term))
            {
                throw Errors.Errors.NotFound("TermNotFound", $"The keyring has no term {term}.");
            }
            if (term == current.ActiveTerm)
            {
                throw Errors.Errors.BadParameter($"Term {term} is the active term; rotate first.");
            }
            var superseded = current.CreatedOf(current.Terms.Where(t => t > term).Min());
            var allowed = superseded + _policy.RetireAfter;
            if (time.GetUtcNow() < allowed)
            {
                throw Errors.Errors.Conflict($"Term {term} stopped encrypting at {superseded:O}; it can be retired from {allowed:O}, once writes begun under it have landed.");
            }
            var remaining = await CountRecordsUnderAsync(term, cancellationToken);
            if (remaining > 0)
            {
                throw Errors.Errors.Conflict($"{remaining} record(s) are still encrypted under term {term}; re-encryption has not finished (see the barrier status).");
            }
            var next = current.WithoutTerm(term);
            await ReplaceRingAsync(current, next, cancellationToken);
            return [.. next.Terms];
        }
        finally
        {
            _rotateGate.Release();
        }
    }

    public BarrierStatus Status()
    {
        var ring = _keyRing ?? throw Errors.Errors.Sealed();
        var usage = _usage;
        lock (_passGate)
        {
            var terms = ring.Terms
                .Select(t => new BarrierTermStatus(t, ring.CreatedOf(t), t == ring.ActiveTerm, _lastPassCounts is null ? null : _lastPassCounts.GetValueOrDefault(t)))
                .ToList();
            return new BarrierStatus(
                ring.ActiveTerm,
                terms,
                usage?.Term == ring.ActiveTerm ? usage.Count : 0,
                _policy.MaxEncryptionsPerTerm,
                _policy.MaxTermAge,
                _lastPassCompleted);
        }
    }

    private async Task<long> CountRecordsUnderAsync(uint term, CancellationToken cancellationToken)
    {
        long count = 0;
        RecordKey? after = null;
        while (true)
        {
            var page = await store.ScanAsync(after, 1000, cancellationToken);
            count += page.Count(r => IsBarrierRecord(r) && RecordBarrier.TermOf(r.Payload) == term);
            if (page.Count < 1000)
            {
                return count;
            }
            after = page[^1].Key;
        }
    }

    private async Task SwapAsync(List<RecordWrite.SwapPayload> swaps, CancellationToken cancellationToken)
    {
        if (swaps.Count == 0)
        {
            return;
        }
        try
        {
            await store.WriteAsync(swaps, cancellationToken);
        }
        catch (RecordConflictException)
        {
            // Some record changed since it was read: apply the others one by one; the changed ones are current already.
            foreach (var swap in swaps)
            {
                try
                {
                    await store.WriteAsync([swap], cancellationToken);
                }
                catch (RecordConflictException)
                {
                }
            }
        }
    }

    /// <summary>
    /// Records the barrier encrypts: all but the root key, keyring, usage and seal records (sealed by the root key,
    /// the seal, or clear) and empty markers.
    /// </summary>
    private static bool IsBarrierRecord(StoredRecord record) =>
        record.Payload.Length > 0
        && !(record.Key.Vault == SystemVault.Name && record.Key.Kind is "seal" or "keyring");
}
