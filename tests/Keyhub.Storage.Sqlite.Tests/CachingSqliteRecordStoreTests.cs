using Keyhub.Core.Storage;
using Keyhub.Core.Tests.Storage;

namespace Keyhub.Storage.Sqlite.Tests;

/// <summary>The server's arrangement: the point-read cache in front of SQLite keeps every promise of the contract.</summary>
public sealed class CachingSqliteRecordStoreTests : RecordStoreContractTests, IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly List<IRecordStore> _stores = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
        _directory.Dispose();
    }

    protected override async Task<IRecordStore> CreateStoreAsync()
    {
        var store = new CachingRecordStore(await SqliteRecordStore.OpenAsync(_directory.File($"keyhub-{_stores.Count}.db"), Ct));
        _stores.Add(store);
        return store;
    }
}
