using System.Text.Json;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Seal;

/// <summary>
/// How a deployment's root key is sealed, stored in the clear next to the wrapped root key (it holds no
/// secret: counts and share check values), so a starting server knows whether to wait for shares.
/// A deployment without the record is sealed with the key file.
/// </summary>
public static class SealConfig
{
    internal static readonly RecordKey Record = new(SystemVault.Name, "seal", "config", "");

    public static async Task WriteShamirAsync(IRecordStore store, ShamirSealConfig config, TimeProvider time, CancellationToken cancellationToken) =>
        await store.WriteAsync([new RecordWrite.Put(ShamirRecord(config, time.GetUtcNow()))], cancellationToken);

    /// <summary>The record itself, for a batch that also replaces the wrapped root key (rekey).</summary>
    internal static StoredRecord ShamirRecord(ShamirSealConfig config, DateTimeOffset now) => new()
    {
        Key = Record,
        Created = now,
        Updated = now,
        Payload = JsonSerializer.SerializeToUtf8Bytes(new StoredConfig("shamir", config.Shares, config.Threshold, [.. config.CheckValues])),
    };

    /// <summary>The Shamir configuration, or null for a key-file deployment (or none yet).</summary>
    public static async Task<ShamirSealConfig?> ReadShamirAsync(IRecordStore store, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(Record, cancellationToken);
        if (record is null)
        {
            return null;
        }
        var stored = JsonSerializer.Deserialize<StoredConfig>(record.Payload)
            ?? throw new InvalidOperationException("The seal configuration record is unreadable.");
        return stored.Kind == "shamir"
            ? new ShamirSealConfig(stored.Shares, stored.Threshold, stored.CheckValues)
            : throw new InvalidOperationException($"Unknown seal kind '{stored.Kind}'.");
    }

    // A stored format: the JSON names are fixed.
    private sealed record StoredConfig(string Kind, int Shares, int Threshold, List<byte[]> CheckValues);
}
