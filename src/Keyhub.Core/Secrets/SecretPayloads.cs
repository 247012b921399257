using Keyhub.Core.Objects;

namespace Keyhub.Core.Secrets;

/// <summary>
/// Encrypted payload of one secret version. Everything but ids and timestamps lives here.
/// <see cref="Managed"/> marks the secret of a certificate, changed only through the certificates API.
/// </summary>
internal sealed record SecretVersionPayload(string Value, string? ContentType, Dictionary<string, string>? Tags, long? NotBefore, long? Expires, bool Managed = false)
    : IExpiringPayload;
