namespace Keyhub.Core.Storage;

/// <summary>One change in an atomic batch passed to <see cref="IRecordStore.WriteAsync"/>.</summary>
public abstract record RecordWrite
{
    private RecordWrite()
    {
    }

    /// <summary>Insert or replace.</summary>
    public sealed record Put(StoredRecord Record) : RecordWrite;

    /// <summary>Insert only; the batch fails with <see cref="RecordConflictException"/> if the key exists.</summary>
    public sealed record Insert(StoredRecord Record) : RecordWrite;

    public sealed record Remove(RecordKey Key) : RecordWrite;

    /// <summary>
    /// Replaces only the payload, and only while it is still <paramref name="Expected"/> (byte for byte); otherwise
    /// — changed or removed meanwhile — the batch fails with <see cref="RecordConflictException"/>. Lets a background
    /// re-encryption never overwrite a concurrent update with what it read before.
    /// </summary>
    public sealed record SwapPayload(RecordKey Key, byte[] Expected, byte[] Payload) : RecordWrite;

    /// <summary>Remove every version of one name.</summary>
    public sealed record RemoveAll(string Vault, string Kind, string Name) : RecordWrite;
}
