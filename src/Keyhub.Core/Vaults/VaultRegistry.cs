using Keyhub.Core.Seal;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Vaults;

/// <summary>The vaults of this deployment, stored as encrypted records in the system vault.</summary>
public sealed class VaultRegistry(IRecordStore store, SealManager seal, TimeProvider time)
{
    private const string Kind = "vault";

    public async Task<VaultProperties?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(KeyOf(name), cancellationToken);
        return record is null || record.Deleted is not null ? null : SealedJson.Decrypt<VaultProperties>(seal.Barrier, record);
    }

    public async Task<IReadOnlyList<VaultProperties>> ListAsync(CancellationToken cancellationToken)
    {
        var result = new List<VaultProperties>();
        string? after = null;
        while (true)
        {
            var page = await store.ListAsync(new RecordQuery(SystemVault.Name, Kind) { After = after, Limit = 100 }, cancellationToken);
            result.AddRange(page.Select(r => SealedJson.Decrypt<VaultProperties>(seal.Barrier, r)));
            if (page.Count < 100)
            {
                return result;
            }
            after = page[^1].Key.Name;
        }
    }

    /// <summary>Creates the vault if it does not exist yet; returns the stored properties either way.</summary>
    public async Task<VaultProperties> EnsureAsync(VaultProperties vault, CancellationToken cancellationToken)
    {
        Names.ValidateVault(vault.Name);
        if (vault.RetentionDays is < 7 or > 90)
        {
            throw Errors.Errors.BadParameter("Soft-delete retention must be between 7 and 90 days.");
        }
        var existing = await GetAsync(vault.Name, cancellationToken);
        if (existing is not null)
        {
            return existing;
        }
        var key = KeyOf(vault.Name);
        var now = time.GetUtcNow();
        var normalised = vault with { Name = vault.Name.ToLowerInvariant() };
        try
        {
            await store.WriteAsync(
                [new RecordWrite.Insert(new StoredRecord { Key = key, Created = now, Updated = now, Payload = SealedJson.Encrypt(seal.Barrier, key, normalised) })],
                cancellationToken);
        }
        catch (RecordConflictException)
        {
            return await GetAsync(vault.Name, cancellationToken) ?? normalised;
        }
        return normalised;
    }

    private static RecordKey KeyOf(string name) => new(SystemVault.Name, Kind, name.ToLowerInvariant(), "");
}
