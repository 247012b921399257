using Keyhub.Core.Identity;

namespace Keyhub.Core.Authorization;

/// <summary>
/// Deny by default: a request is allowed only if an assignment — to the principal or to a group it is
/// a member of — on an enclosing scope grants the action.
/// </summary>
/// <remarks>
/// Decisions come from a decrypted snapshot of every assignment and group, rebuilt when the store's
/// change stamps for either move; the stamps are read on every call, so a change counts at the very
/// next request, as it did when everything was read each time.
/// </remarks>
public sealed class AccessEvaluator(RoleAssignmentStore assignments, GroupStore groups)
{
    private volatile AccessSnapshot? _snapshot;

    public async Task<bool> IsAllowedAsync(string principalId, string dataAction, string scope, CancellationToken cancellationToken) =>
        (await SnapshotAsync(cancellationToken)).RolesAt(principalId, scope).Any(role => role.Grants(dataAction));

    public async Task<bool> IsManagementAllowedAsync(string principalId, string action, string scope, CancellationToken cancellationToken) =>
        (await SnapshotAsync(cancellationToken)).RolesAt(principalId, scope).Any(role => role.GrantsManagement(action));

    /// <summary>
    /// Whether the caller may assign (or remove) <paramref name="role"/> at <paramref name="scope"/>: some role
    /// it holds at an enclosing scope grants the role-assignment action and, if that role is restricted
    /// (Data Access Administrator), lists the role among those it may assign.
    /// </summary>
    public async Task<bool> CanAssignAsync(string callerId, string action, RoleDefinition role, string scope, CancellationToken cancellationToken) =>
        (await SnapshotAsync(cancellationToken)).RolesAt(callerId, scope).Any(held =>
            held.GrantsManagement(action) && (held.AssignableRoleIds is null || held.AssignableRoleIds.Contains(role.Id)));

    private async ValueTask<AccessSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        // Stamps first, records second: a change committed in between leaves the snapshot tagged with
        // the older stamps, so the next call rebuilds it rather than trusting it.
        var stamps = (assignments.ChangeStamp, groups.ChangeStamp);
        var current = _snapshot;
        if (current is not null && current.Stamps == stamps)
        {
            return current;
        }
        var built = AccessSnapshot.Build(stamps, await assignments.ListAsync(cancellationToken), await groups.ListAsync(cancellationToken));
        // A slower builder may replace a newer snapshot with an older one; its stamps no longer match,
        // so it is rebuilt on the next call rather than used.
        _snapshot = built;
        return built;
    }
}
