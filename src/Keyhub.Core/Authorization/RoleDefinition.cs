namespace Keyhub.Core.Authorization;

/// <summary>
/// A role: Azure's id and name, the data actions it grants and the management actions (Keyhub's own API:
/// vaults, principals, groups, role assignments, seal) it grants — both as patterns with <c>*</c>.
/// </summary>
public sealed record RoleDefinition(string Id, string Name, IReadOnlyList<string> DataActions)
{
    public IReadOnlyList<string> Actions { get; init; } = [];

    /// <summary>For roles that may assign roles: the role ids they may assign (null: any role).</summary>
    public IReadOnlySet<string>? AssignableRoleIds { get; init; }

    public bool Grants(string dataAction) => DataActions.Any(pattern => ActionPattern.Matches(pattern, dataAction));

    public bool GrantsManagement(string action) => Actions.Any(pattern => ActionPattern.Matches(pattern, action));
}
