using Keyhub.Core.Seal;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Authorization;

/// <summary>Role assignments, encrypted in the system vault. Read on every request, so a change counts at once.</summary>
public sealed class RoleAssignmentStore(IRecordStore store, SealManager seal, TimeProvider time)
{
    private const string Kind = "roleassignment";

    /// <summary>Changes after every committed change to these records (see <see cref="IRecordStore.ChangeStamp"/>).</summary>
    public long ChangeStamp => store.ChangeStamp(SystemVault.Name, Kind);

    public async Task<RoleAssignment> AddAsync(string principalId, string roleIdOrName, string scope, CancellationToken cancellationToken)
    {
        var role = BuiltInRoles.Find(roleIdOrName)
            ?? throw Errors.Errors.BadParameter($"Unknown role '{roleIdOrName}'.");
        var assignment = new RoleAssignment(Guid.NewGuid().ToString(), principalId, role.Id, Scopes.Parse(scope));
        var key = new RecordKey(SystemVault.Name, Kind, assignment.Id, "");
        var now = time.GetUtcNow();
        await store.WriteAsync(
            [new RecordWrite.Insert(new StoredRecord { Key = key, Created = now, Updated = now, Payload = SealedJson.Encrypt(seal.Barrier, key, assignment) })],
            cancellationToken);
        return assignment;
    }

    /// <summary>Adds the assignment unless the principal already holds that role at that exact scope.</summary>
    public async Task<RoleAssignment> EnsureAsync(string principalId, string roleIdOrName, string scope, CancellationToken cancellationToken)
    {
        var role = BuiltInRoles.Find(roleIdOrName)
            ?? throw Errors.Errors.BadParameter($"Unknown role '{roleIdOrName}'.");
        var normalised = Scopes.Parse(scope);
        var existing = (await ListAsync(cancellationToken))
            .FirstOrDefault(a => a.PrincipalId == principalId && a.RoleDefinitionId == role.Id && a.Scope == normalised);
        return existing ?? await AddAsync(principalId, role.Id, normalised, cancellationToken);
    }

    public async Task<RoleAssignment?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var parsed))
        {
            return null;
        }
        var record = await store.GetAsync(new RecordKey(SystemVault.Name, Kind, parsed.ToString(), ""), cancellationToken);
        return record is null ? null : SealedJson.Decrypt<RoleAssignment>(seal.Barrier, record);
    }

    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        var existing = await GetAsync(id, cancellationToken)
            ?? throw Errors.Errors.NotFound("RoleAssignmentNotFound", $"No role assignment has id {id}.");
        await store.WriteAsync([new RecordWrite.Remove(new RecordKey(SystemVault.Name, Kind, existing.Id, ""))], cancellationToken);
    }

    public async Task<IReadOnlyList<RoleAssignment>> ListAsync(CancellationToken cancellationToken)
    {
        var result = new List<RoleAssignment>();
        await foreach (var record in store.ListAllAsync(new RecordQuery(SystemVault.Name, Kind), cancellationToken))
        {
            result.Add(SealedJson.Decrypt<RoleAssignment>(seal.Barrier, record));
        }
        return result;
    }
}
