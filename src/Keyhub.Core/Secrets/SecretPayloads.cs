using Keyhub.Core.Objects;

namespace Keyhub.Core.Secrets;

/// <summary>Encrypted payload of one secret version. Everything but ids and timestamps lives here.</summary>
internal sealed record SecretVersionPayload(string Value, string? ContentType, Dictionary<string, string>? Tags, long? NotBefore, long? Expires)
    : IExpiringPayload;
