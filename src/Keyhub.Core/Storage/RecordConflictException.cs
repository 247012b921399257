namespace Keyhub.Core.Storage;

public sealed class RecordConflictException(RecordKey key)
    : Exception($"A record {key.Kind}/{key.Name} already exists.")
{
    public RecordKey Key { get; } = key;
}
