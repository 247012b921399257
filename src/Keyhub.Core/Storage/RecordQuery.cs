namespace Keyhub.Core.Storage;

public enum DeletedFilter
{
    Live,
    Deleted,
    Any,
}

/// <summary>
/// A page of records of one kind in one vault, ordered by (name, version).
/// With <see cref="Name"/> set, only that name's versions; <see cref="After"/> is then a version,
/// otherwise a name — so list without a name only kinds that hold one record per name (heads,
/// principals, assignments), or a page boundary inside one name's versions would skip the rest.
/// </summary>
public sealed record RecordQuery(string Vault, string Kind)
{
    public string? Name { get; init; }
    public DeletedFilter Deleted { get; init; } = DeletedFilter.Live;
    public string? After { get; init; }
    public int Limit { get; init; } = 25;
}
