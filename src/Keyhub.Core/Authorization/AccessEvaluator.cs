namespace Keyhub.Core.Authorization;

/// <summary>Deny by default: a request is allowed only if an assignment on an enclosing scope grants the data action.</summary>
public sealed class AccessEvaluator(RoleAssignmentStore assignments)
{
    public async Task<bool> IsAllowedAsync(string principalId, string dataAction, string scope, CancellationToken cancellationToken)
    {
        foreach (var assignment in await assignments.ListAsync(cancellationToken))
        {
            if (assignment.PrincipalId == principalId
                && Scopes.Encloses(assignment.Scope, scope)
                && BuiltInRoles.All.FirstOrDefault(r => r.Id == assignment.RoleDefinitionId) is { } role
                && role.Grants(dataAction))
            {
                return true;
            }
        }
        return false;
    }
}
