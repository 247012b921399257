using System.Security.Cryptography;
using Keyhub.Core.Storage;
using Keyhub.Core.Tests.Storage;

namespace Keyhub.Storage.Sqlite.Tests;

public sealed class SqliteRecordStoreTests : RecordStoreContractTests, IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly List<IRecordStore> _stores = [];

    private string DatabasePath => _directory.File("keyhub.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
        _directory.Dispose();
    }

    protected override async Task<IRecordStore> CreateStoreAsync() => await OpenAsync();

    [Theory]
    [InlineData("journal_mode", "wal")]
    [InlineData("synchronous", 2L)]
    [InlineData("secure_delete", 1L)]
    [InlineData("foreign_keys", 1L)]
    [InlineData("busy_timeout", 5000L)]
    public async Task Pragmas_are_in_force_on_the_writer_and_on_readers(string pragma, object expected)
    {
        var store = await OpenAsync();

        Assert.Equal(expected, await store.ReadWriterPragmaAsync(pragma, Ct));
        await using var reader = await store.Connections.OpenReaderAsync(Ct);
        using var command = reader.CreateCommand();
        command.CommandText = $"PRAGMA {pragma};";
        Assert.Equal(expected, await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task File_is_in_wal_mode_for_every_connection()
    {
        await OpenAsync();

        Assert.Equal("wal", await DatabaseFiles.ScalarAsync(DatabasePath, "PRAGMA journal_mode;"));
    }

    [Fact]
    public async Task Record_survives_closing_and_reopening_the_store()
    {
        var record = Record("alpha", payload: [1, 2, 3]) with { Deleted = T0, PurgeAt = T0.AddDays(7), Expires = T0.AddYears(1), Enabled = false };
        await using (var first = await SqliteRecordStore.OpenAsync(DatabasePath, Ct))
        {
            await PutAsync(first, record);
        }

        await using var second = await OpenAsync();

        AssertSameRecord(record, await second.GetAsync(record.Key, Ct));
        Assert.Equal(1, second.FormatVersion);
    }

    [Theory]
    [InlineData("remove", 64, false)]
    [InlineData("remove", 64, true)]
    [InlineData("remove-all", 64, true)]
    [InlineData("replace", 64, true)]
    [InlineData("remove", 20_000, true)]
    public async Task Removed_payload_is_gone_from_every_file_after_compaction(string removal, int size, bool checkpointedFirst)
    {
        var store = await OpenAsync();
        var secret = RandomNumberGenerator.GetBytes(size);
        await PutAsync(store, Record("neighbour-1"), Record("secret", "v1", payload: secret), Record("secret", "v2"), Record("neighbour-2"));
        if (checkpointedFirst)
        {
            await store.CompactAsync(Ct);
        }
        // Without this the test could pass by never finding the payload at all.
        Assert.True(DatabaseFiles.AnyContains(DatabasePath, secret));

        RecordWrite write = removal switch
        {
            "remove" => new RecordWrite.Remove(Key("secret", "v1")),
            "remove-all" => new RecordWrite.RemoveAll("vault-a", "secret", "secret"),
            _ => new RecordWrite.Put(Record("secret", "v1", payload: [0x42])),
        };
        await store.WriteAsync([write], Ct);
        await store.CompactAsync(Ct);

        Assert.False(DatabaseFiles.AnyContains(DatabasePath, secret));
        Assert.NotNull(await store.GetAsync(Key("neighbour-2"), Ct));
        await store.DisposeAsync();
        Assert.False(DatabaseFiles.AnyContains(DatabasePath, secret));
    }

    [Fact]
    public async Task Cancelled_write_applies_nothing()
    {
        var store = await OpenAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => store.WriteAsync([new RecordWrite.Put(Record("alpha"))], new CancellationToken(canceled: true)));

        Assert.Null(await store.GetAsync(Key("alpha"), Ct));
    }

    [Fact]
    public async Task Disposing_closes_every_connection_and_leaves_one_self_contained_file()
    {
        var store = await OpenAsync();
        await PutAsync(store, Record("alpha"));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.ListAsync(new RecordQuery("vault-a", "secret"), Ct)));

        await store.DisposeAsync();

        // SQLite removes the -wal and -shm files only when the last connection to the file closes.
        Assert.Equal([DatabasePath], DatabaseFiles.All(DatabasePath));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetAsync(Key("alpha"), Ct));
    }

    [Theory]
    [InlineData(null, "name>?")]
    [InlineData("alpha", "version>?")]
    public async Task A_page_after_a_continuation_point_seeks_to_it_instead_of_reading_every_earlier_row(string? name, string seek)
    {
        var store = await OpenAsync();
        await using var reader = await store.Connections.OpenReaderAsync(Ct);
        using var command = reader.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + SqliteRecordTable.SelectPage(new RecordQuery("vault-a", "secret") { Name = name, After = "m", Limit = 25 });
        command.Parameters.AddWithValue("$vault", "vault-a");
        command.Parameters.AddWithValue("$kind", "secret");
        command.Parameters.AddWithValue("$name", (object?)name ?? DBNull.Value);
        command.Parameters.AddWithValue("$after", "m");
        command.Parameters.AddWithValue("$limit", 25);
        var plan = new List<string>();
        using (var rows = await command.ExecuteReaderAsync(Ct))
        {
            while (await rows.ReadAsync(Ct))
            {
                plan.Add(rows.GetString(3));
            }
        }

        Assert.Contains(plan, step => step.Contains(seek, StringComparison.Ordinal));
    }

    private async Task<SqliteRecordStore> OpenAsync()
    {
        var store = await SqliteRecordStore.OpenAsync(DatabasePath, Ct);
        _stores.Add(store);
        return store;
    }
}
