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

    /// <summary>Remove every version of one name.</summary>
    public sealed record RemoveAll(string Vault, string Kind, string Name) : RecordWrite;
}
