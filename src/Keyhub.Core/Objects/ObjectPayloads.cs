namespace Keyhub.Core.Objects;

/// <summary>Encrypted payload of an object's head record: display name and latest version.</summary>
internal sealed record HeadPayload(string Name, string Latest);

/// <summary>
/// Plaintext of a backup blob before the barrier encrypts it. Its JSON shape (property names as
/// written, default serializer options) is a stored format: blobs from earlier versions must restore.
/// </summary>
internal sealed record BackupPayload<TPayload>(int Format, HeadPayload Head, List<BackupVersion<TPayload>> Versions);

internal sealed record BackupVersion<TPayload>(string Version, TPayload Payload, bool Enabled, long Created, long Updated);
