namespace Keyhub.Core.Objects;

/// <summary>One version of a versioned object with its decrypted payload and clear-text metadata.</summary>
public sealed record ObjectVersion<TPayload>(
    string Name,
    string Version,
    TPayload Payload,
    bool Enabled,
    DateTimeOffset? Expires,
    DateTimeOffset Created,
    DateTimeOffset Updated);

public sealed record DeletedObject<TPayload>(ObjectVersion<TPayload> Latest, DateTimeOffset DeletedDate, DateTimeOffset ScheduledPurgeDate);

/// <summary>What an update returns: the new payload and clear-text metadata of the version.</summary>
public sealed record VersionChange<TPayload>(TPayload Payload, bool Enabled, DateTimeOffset? Expires);
