using Keyhub.Core.Identity;

namespace Keyhub.Core.Authorization;

/// <summary>
/// Deny by default: a request is allowed only if an assignment — to the principal or to a group it is
/// a member of — on an enclosing scope grants the action. Assignments and groups are read on every
/// call, so a change counts at the very next request.
/// </summary>
public sealed class AccessEvaluator(RoleAssignmentStore assignments, GroupStore groups)
{
    public async Task<bool> IsAllowedAsync(string principalId, string dataAction, string scope, CancellationToken cancellationToken) =>
        (await RolesAtAsync(principalId, scope, cancellationToken)).Any(role => role.Grants(dataAction));

    public async Task<bool> IsManagementAllowedAsync(string principalId, string action, string scope, CancellationToken cancellationToken) =>
        (await RolesAtAsync(principalId, scope, cancellationToken)).Any(role => role.GrantsManagement(action));

    /// <summary>
    /// Whether the caller may assign (or remove) <paramref name="role"/> at <paramref name="scope"/>: some role
    /// it holds at an enclosing scope grants the role-assignment action and, if that role is restricted
    /// (Data Access Administrator), lists the role among those it may assign.
    /// </summary>
    public async Task<bool> CanAssignAsync(string callerId, string action, RoleDefinition role, string scope, CancellationToken cancellationToken) =>
        (await RolesAtAsync(callerId, scope, cancellationToken)).Any(held =>
            held.GrantsManagement(action) && (held.AssignableRoleIds is null || held.AssignableRoleIds.Contains(role.Id)));

    private async Task<List<RoleDefinition>> RolesAtAsync(string principalId, string scope, CancellationToken cancellationToken)
    {
        var memberOf = await groups.GroupsOfAsync(principalId, cancellationToken);
        var roles = new List<RoleDefinition>();
        foreach (var assignment in await assignments.ListAsync(cancellationToken))
        {
            if ((assignment.PrincipalId == principalId || memberOf.Contains(assignment.PrincipalId))
                && Scopes.Encloses(assignment.Scope, scope)
                && BuiltInRoles.All.FirstOrDefault(r => r.Id == assignment.RoleDefinitionId) is { } role)
            {
                roles.Add(role);
            }
        }
        return roles;
    }
}
