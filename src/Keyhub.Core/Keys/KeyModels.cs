using Keyhub.Core.Objects;

namespace Keyhub.Core.Keys;

/// <summary>One key version as the engine returns it: public material only.</summary>
public sealed record KeyVersion
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required KeyMaterial PublicKey { get; init; }
    public required IReadOnlyList<string> KeyOps { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public bool Enabled { get; init; } = true;
    public DateTimeOffset? NotBefore { get; init; }
    public DateTimeOffset? Expires { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required DateTimeOffset Updated { get; init; }

    /// <summary>The key of a certificate: read and used here, changed only through the certificate.</summary>
    public bool Managed { get; init; }

    /// <summary>An -HSM key: its private or secret part is a non-extractable object in the HSM (kty RSA-HSM, EC-HSM, oct-HSM).</summary>
    public bool Hsm { get; init; }
}

public sealed record DeletedKey(KeyVersion Latest, DateTimeOffset DeletedDate, DateTimeOffset ScheduledPurgeDate);

/// <summary>POST /keys/{name}/create.</summary>
public sealed record NewKey(string Kty)
{
    public int? KeySize { get; init; }
    public int? PublicExponent { get; init; }
    public string? Curve { get; init; }
    public IReadOnlyList<string>? KeyOps { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public bool? Enabled { get; init; }
    public DateTimeOffset? NotBefore { get; init; }
    public DateTimeOffset? Expires { get; init; }
}

/// <summary>PUT /keys/{name}: a JWK with its private parts.</summary>
public sealed record ImportedKey(KeyMaterial Key)
{
    /// <summary>Import into the HSM (Azure's <c>Hsm: true</c>, or an -HSM kty): premium vaults only.</summary>
    public bool Hsm { get; init; }

    public IReadOnlyList<string>? KeyOps { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public bool? Enabled { get; init; }
    public DateTimeOffset? NotBefore { get; init; }
    public DateTimeOffset? Expires { get; init; }
}

/// <summary>PATCH /keys/{name}/{version}; null leaves a property as it is. Material never changes.</summary>
public sealed record KeyPropertiesUpdate
{
    public IReadOnlyList<string>? KeyOps { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public bool? Enabled { get; init; }
    public DateTimeOffset? NotBefore { get; init; }
    public DateTimeOffset? Expires { get; init; }
}

/// <summary>Encrypted payload of one key version: the private material and everything else but ids and timestamps.
/// <see cref="Managed"/> marks the key of a certificate, changed only through the certificates API.</summary>
/// <remarks>
/// <see cref="HsmId"/> is set for a premium vault's -HSM key: <see cref="Material"/> then holds only the public parts
/// (nothing for oct) and the private or secret key is the HSM object with that id.
/// </remarks>
internal sealed record KeyVersionPayload(KeyMaterial Material, List<string> KeyOps, Dictionary<string, string>? Tags, long? NotBefore, long? Expires, bool Managed = false, byte[]? HsmId = null, int? HsmSize = null)
    : IExpiringPayload;
