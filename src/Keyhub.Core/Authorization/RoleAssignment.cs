namespace Keyhub.Core.Authorization;

/// <summary>Grants <see cref="RoleDefinitionId"/> to a principal at <see cref="Scope"/> and every scope below it.</summary>
public sealed record RoleAssignment(string Id, string PrincipalId, string RoleDefinitionId, string Scope);
