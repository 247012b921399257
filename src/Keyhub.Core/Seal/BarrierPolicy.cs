namespace Keyhub.Core.Seal;

/// <summary>When the barrier rotates on its own and how cautiously old terms are retired.</summary>
public sealed record BarrierPolicy
{
    /// <summary>
    /// Rotate once the active term has encrypted this many records. AES-GCM with random 96-bit nonces stays
    /// within NIST SP 800-38D's collision bound up to 2^32 encryptions per key; half of that leaves a margin.
    /// </summary>
    public long MaxEncryptionsPerTerm { get; init; } = 1L << 31;

    /// <summary>Rotate once the active term is this old; null never rotates by age.</summary>
    public TimeSpan? MaxTermAge { get; init; } = TimeSpan.FromDays(365);

    /// <summary>
    /// Encryptions counted in advance with one write. A crash loses at most one block of the count, which is then
    /// taken as used: the count errs towards rotating early, never late.
    /// </summary>
    public long CountBlock { get; init; } = 1L << 16;

    /// <summary>
    /// How long a term must have been inactive before it may be retired: a write that encrypted under it just
    /// before the rotation may still be on its way to the store.
    /// </summary>
    public TimeSpan RetireAfter { get; init; } = TimeSpan.FromMinutes(5);
}
