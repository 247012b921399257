namespace Keyhub.Core.Secrets;

/// <summary>Encrypted payload of a secret's head record: display name and latest version.</summary>
internal sealed record SecretHeadPayload(string Name, string Latest);

/// <summary>Encrypted payload of one secret version. Everything but ids and timestamps lives here.</summary>
internal sealed record SecretVersionPayload(string Value, string? ContentType, Dictionary<string, string>? Tags, long? NotBefore, long? Expires);

/// <summary>Plaintext of a backup blob before the barrier encrypts it.</summary>
internal sealed record SecretBackupPayload(int Format, SecretHeadPayload Head, List<SecretBackupVersion> Versions);

internal sealed record SecretBackupVersion(string Version, SecretVersionPayload Payload, bool Enabled, long Created, long Updated);
