using Keyhub.Core.Seal;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Identity;

/// <summary>Per-deployment facts created once: the tenant id.</summary>
public sealed class DeploymentStore(IRecordStore store, SealManager seal, TimeProvider time)
{
    private static readonly RecordKey Key = new(SystemVault.Name, "deployment", "deployment", "");

    /// <summary>The deployment's facts, or null before it has been created (an engine used on its own).</summary>
    public async Task<DeploymentInfo?> GetAsync(CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(Key, cancellationToken);
        return record is null ? null : SealedJson.Decrypt<DeploymentInfo>(seal.Barrier, record);
    }

    public async Task<DeploymentInfo> EnsureAsync(string? tenantId, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(Key, cancellationToken);
        if (record is not null)
        {
            return SealedJson.Decrypt<DeploymentInfo>(seal.Barrier, record);
        }
        var now = time.GetUtcNow();
        var info = new DeploymentInfo(tenantId ?? Guid.NewGuid().ToString(), now);
        await store.WriteAsync(
            [new RecordWrite.Insert(new StoredRecord { Key = Key, Created = now, Updated = now, Payload = SealedJson.Encrypt(seal.Barrier, Key, info) })],
            cancellationToken);
        return info;
    }
}

public sealed record DeploymentInfo(string TenantId, DateTimeOffset Created);
