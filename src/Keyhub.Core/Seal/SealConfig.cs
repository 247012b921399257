using System.Text.Json;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Seal;

/// <summary>Where an HSM-sealed deployment's root-key wrapping key lives (no secret: the PIN comes from configuration).</summary>
public sealed record HsmSealConfig(string Library, string TokenLabel, string KeyLabel, byte[] KeyId);

/// <summary>
/// How a deployment's root key is sealed. <see cref="Kind"/> "shamir": <see cref="Shares"/> are the unseal shares;
/// "pkcs11": an HSM key wraps the root key (<see cref="Hsm"/>) and <see cref="Shares"/> are the recovery shares
/// (Shamir shares of the root key itself).
/// </summary>
public sealed record SealSettings(string Kind, ShamirSealConfig Shares, HsmSealConfig? Hsm = null)
{
    public const string ShamirKind = "shamir";
    public const string HsmKind = "pkcs11";
}

/// <summary>
/// The seal settings, stored in the clear next to the wrapped root key (they hold no secret: counts, share check
/// values, where the HSM key is), so a starting server knows whether to wait for shares or ask the HSM.
/// A deployment without the record is sealed with the key file.
/// </summary>
public static class SealConfig
{
    internal static readonly RecordKey Record = new(SystemVault.Name, "seal", "config", "");

    internal static StoredRecord ToRecord(SealSettings settings, DateTimeOffset now) => new()
    {
        Key = Record,
        Created = now,
        Updated = now,
        Payload = JsonSerializer.SerializeToUtf8Bytes(new StoredConfig(
            settings.Kind,
            settings.Shares.Shares,
            settings.Shares.Threshold,
            [.. settings.Shares.CheckValues],
            settings.Hsm is { } hsm ? new StoredHsm(hsm.Library, hsm.TokenLabel, hsm.KeyLabel, hsm.KeyId) : null)),
    };

    /// <summary>The recorded settings, or null for a key-file deployment (or none yet).</summary>
    public static async Task<SealSettings?> ReadAsync(IRecordStore store, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(Record, cancellationToken);
        if (record is null)
        {
            return null;
        }
        var stored = JsonSerializer.Deserialize<StoredConfig>(record.Payload)
            ?? throw new InvalidOperationException("The seal configuration record is unreadable.");
        var shares = new ShamirSealConfig(stored.Shares, stored.Threshold, stored.CheckValues);
        return stored.Kind switch
        {
            SealSettings.ShamirKind => new SealSettings(stored.Kind, shares),
            SealSettings.HsmKind when stored.Hsm is { } hsm => new SealSettings(stored.Kind, shares, new HsmSealConfig(hsm.Library, hsm.TokenLabel, hsm.KeyLabel, hsm.KeyId)),
            _ => throw new InvalidOperationException($"Unknown seal kind '{stored.Kind}'."),
        };
    }

    // A stored format: the JSON names are fixed (format 1 had no Hsm member; it reads as null).
    private sealed record StoredConfig(string Kind, int Shares, int Threshold, List<byte[]> CheckValues, StoredHsm? Hsm = null);

    private sealed record StoredHsm(string Library, string TokenLabel, string KeyLabel, byte[] KeyId);
}
