using Keyhub.Core.Storage;

namespace Keyhub.Core.Tests.Storage;

public sealed class InMemoryRecordStoreTests : RecordStoreContractTests
{
    protected override Task<IRecordStore> CreateStoreAsync() => Task.FromResult<IRecordStore>(new InMemoryRecordStore());
}
