namespace Keyhub.Core.Storage;

/// <summary>
/// One row. Only identifiers, timestamps and the enabled flag are in the clear; <see cref="Payload"/>
/// is always barrier ciphertext (or, for the sealed root key, seal ciphertext).
/// </summary>
public sealed record StoredRecord
{
    public required RecordKey Key { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required DateTimeOffset Updated { get; init; }
    public DateTimeOffset? Deleted { get; init; }
    public DateTimeOffset? PurgeAt { get; init; }
    public DateTimeOffset? Expires { get; init; }
    public bool Enabled { get; init; } = true;
    public required byte[] Payload { get; init; }
}
