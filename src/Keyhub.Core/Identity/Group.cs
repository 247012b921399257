namespace Keyhub.Core.Identity;

/// <summary>A group of principals (by object id). Roles assigned to a group apply to every member.</summary>
public sealed record Group
{
    public required string ObjectId { get; init; }
    public required string DisplayName { get; init; }
    public List<string> Members { get; init; } = [];
}
