using Keyhub.Core.Identity;

namespace Keyhub.Core.Authorization;

/// <summary>Every principal's role grants, with group assignments expanded to the members, at one pair of change stamps.</summary>
internal sealed class AccessSnapshot
{
    private readonly Dictionary<string, List<(string Scope, RoleDefinition Role)>> _grants;

    private AccessSnapshot((long Assignments, long Groups) stamps, Dictionary<string, List<(string Scope, RoleDefinition Role)>> grants)
    {
        Stamps = stamps;
        _grants = grants;
    }

    public (long Assignments, long Groups) Stamps { get; }

    public static AccessSnapshot Build((long, long) stamps, IReadOnlyList<RoleAssignment> assignments, IReadOnlyList<Group> groups)
    {
        var membersOf = groups.ToDictionary(g => g.ObjectId, g => g.Members, StringComparer.Ordinal);
        var grants = new Dictionary<string, List<(string, RoleDefinition)>>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
        {
            if (BuiltInRoles.All.FirstOrDefault(r => r.Id == assignment.RoleDefinitionId) is not { } role)
            {
                continue;
            }
            var holders = membersOf.TryGetValue(assignment.PrincipalId, out var members)
                ? members.Append(assignment.PrincipalId)
                : [assignment.PrincipalId];
            foreach (var holder in holders)
            {
                if (!grants.TryGetValue(holder, out var list))
                {
                    grants[holder] = list = [];
                }
                list.Add((assignment.Scope, role));
            }
        }
        return new AccessSnapshot(stamps, grants);
    }

    public IEnumerable<RoleDefinition> RolesAt(string principalId, string scope) =>
        _grants.TryGetValue(principalId, out var list)
            ? list.Where(g => Scopes.Encloses(g.Scope, scope)).Select(g => g.Role)
            : [];
}
