using Keyhub.Core.Seal;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Identity;

/// <summary>Groups, encrypted in the system vault under their object id.</summary>
public sealed class GroupStore(IRecordStore store, SealManager seal, TimeProvider time)
{
    private const string Kind = "group";

    /// <summary>Changes after every committed change to these records (see <see cref="IRecordStore.ChangeStamp"/>).</summary>
    public long ChangeStamp => store.ChangeStamp(SystemVault.Name, Kind);

    public async Task<Group> AddAsync(string displayName, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(displayName) || displayName.Length > 256)
        {
            throw Errors.Errors.BadParameter("A group's display name is 1-256 characters.");
        }
        var group = new Group { ObjectId = Guid.NewGuid().ToString(), DisplayName = displayName };
        var key = KeyOf(group.ObjectId);
        var now = time.GetUtcNow();
        await store.WriteAsync(
            [new RecordWrite.Insert(new StoredRecord { Key = key, Created = now, Updated = now, Payload = SealedJson.Encrypt(seal.Barrier, key, group) })],
            cancellationToken);
        return group;
    }

    public async Task<Group?> GetAsync(string objectId, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(objectId, out var parsed))
        {
            return null;
        }
        var record = await store.GetAsync(KeyOf(parsed.ToString()), cancellationToken);
        return record is null ? null : SealedJson.Decrypt<Group>(seal.Barrier, record);
    }

    public async Task<IReadOnlyList<Group>> ListAsync(CancellationToken cancellationToken)
    {
        var result = new List<Group>();
        await foreach (var record in store.ListAllAsync(new RecordQuery(SystemVault.Name, Kind), cancellationToken))
        {
            result.Add(SealedJson.Decrypt<Group>(seal.Barrier, record));
        }
        return result;
    }

    /// <summary>The ids of the groups <paramref name="principalId"/> belongs to.</summary>
    public async Task<IReadOnlySet<string>> GroupsOfAsync(string principalId, CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken)).Where(g => g.Members.Contains(principalId)).Select(g => g.ObjectId).ToHashSet(StringComparer.Ordinal);

    public Task<Group> AddMemberAsync(string groupId, string principalId, CancellationToken cancellationToken) =>
        UpdateAsync(groupId, g => g.Members.Contains(principalId) ? g : g with { Members = [.. g.Members, principalId] }, cancellationToken);

    public Task<Group> RemoveMemberAsync(string groupId, string principalId, CancellationToken cancellationToken) =>
        UpdateAsync(groupId, g => g with { Members = g.Members.Where(m => m != principalId).ToList() }, cancellationToken);

    private async Task<Group> UpdateAsync(string groupId, Func<Group, Group> change, CancellationToken cancellationToken)
    {
        var current = await GetAsync(groupId, cancellationToken)
            ?? throw Errors.Errors.NotFound("GroupNotFound", $"No group has object id {groupId}.");
        var key = KeyOf(current.ObjectId);
        var record = (await store.GetAsync(key, cancellationToken))!;
        var updated = change(current);
        await store.WriteAsync(
            [new RecordWrite.Put(record with { Updated = time.GetUtcNow(), Payload = SealedJson.Encrypt(seal.Barrier, key, updated) })],
            cancellationToken);
        return updated;
    }

    private static RecordKey KeyOf(string objectId) => new(SystemVault.Name, Kind, objectId, "");
}
