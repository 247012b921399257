namespace Keyhub.Core.Authorization;

/// <summary>A role: Azure's id and name, and the data actions it grants (patterns with <c>*</c>).</summary>
public sealed record RoleDefinition(string Id, string Name, IReadOnlyList<string> DataActions)
{
    public bool Grants(string dataAction) => DataActions.Any(pattern => ActionPattern.Matches(pattern, dataAction));
}
