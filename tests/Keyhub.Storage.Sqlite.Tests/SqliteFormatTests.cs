using System.Buffers.Binary;

namespace Keyhub.Storage.Sqlite.Tests;

public sealed class SqliteFormatTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string DatabasePath => _directory.File("keyhub.db");

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task New_database_carries_the_keyhub_markers_of_the_current_format()
    {
        await using (var store = await SqliteRecordStore.OpenAsync(DatabasePath, Ct))
        {
            Assert.Equal(SqliteMigrations.CurrentVersion, store.FormatVersion);
        }

        var header = DatabaseFiles.Read(DatabasePath).AsSpan(0, 100);
        Assert.Equal(SqliteFormat.ApplicationId, BinaryPrimitives.ReadInt32BigEndian(header[68..]));
        Assert.Equal(SqliteMigrations.CurrentVersion, BinaryPrimitives.ReadInt32BigEndian(header[60..]));
        Assert.Equal("1", await DatabaseFiles.ScalarAsync(DatabasePath, "SELECT value FROM keyhub_meta WHERE key = 'format_version';"));
    }

    [Fact]
    public async Task Empty_existing_file_becomes_a_new_database()
    {
        await File.WriteAllBytesAsync(DatabasePath, [], Ct);

        await using var store = await SqliteRecordStore.OpenAsync(DatabasePath, Ct);

        Assert.Equal(SqliteMigrations.CurrentVersion, store.FormatVersion);
    }

    [Theory]
    [InlineData("PRAGMA user_version = 2; UPDATE keyhub_meta SET value = '2';")]
    [InlineData("UPDATE keyhub_meta SET value = '2';")]
    [InlineData("PRAGMA user_version = 2;")]
    public async Task Database_in_a_newer_format_is_refused_and_left_unchanged(string markNewer)
    {
        await CreateKeyhubDatabaseAsync();
        await DatabaseFiles.ScalarAsync(DatabasePath, markNewer);
        var before = DatabaseFiles.Read(DatabasePath);

        var refusal = await Assert.ThrowsAsync<SqliteStoreFormatException>(() => SqliteRecordStore.OpenAsync(DatabasePath, Ct));

        Assert.Contains("newer", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(before, DatabaseFiles.Read(DatabasePath));
        Assert.Equal([DatabasePath], DatabaseFiles.All(DatabasePath));
    }

    [Fact]
    public async Task Keyhub_database_with_disagreeing_format_markers_is_refused()
    {
        await CreateKeyhubDatabaseAsync();
        await DatabaseFiles.ScalarAsync(DatabasePath, "DELETE FROM keyhub_meta;");

        await Assert.ThrowsAsync<SqliteStoreFormatException>(() => SqliteRecordStore.OpenAsync(DatabasePath, Ct));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(0x12345678)]
    public async Task Sqlite_database_of_another_application_is_refused_and_left_unchanged(int applicationId)
    {
        await DatabaseFiles.ScalarAsync(DatabasePath, $"PRAGMA application_id = {applicationId}; CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hello');");
        var before = DatabaseFiles.Read(DatabasePath);

        var refusal = await Assert.ThrowsAsync<SqliteStoreFormatException>(() => SqliteRecordStore.OpenAsync(DatabasePath, Ct));

        Assert.Contains("not a Keyhub database", refusal.Message, StringComparison.Ordinal);
        // Unchanged includes the journal mode: switching to WAL would rewrite header bytes 18 and 19.
        Assert.Equal(before, DatabaseFiles.Read(DatabasePath));
        Assert.Equal([DatabasePath], DatabaseFiles.All(DatabasePath));
    }

    [Fact]
    public async Task File_that_is_not_sqlite_is_refused_and_left_unchanged()
    {
        var text = string.Concat(Enumerable.Repeat("These are somebody's notes, not a database.\n", 100));
        await File.WriteAllTextAsync(DatabasePath, text, Ct);

        var refusal = await Assert.ThrowsAsync<SqliteStoreFormatException>(() => SqliteRecordStore.OpenAsync(DatabasePath, Ct));

        Assert.Contains("not a SQLite database", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(text, await File.ReadAllTextAsync(DatabasePath, Ct));
    }

    private async Task CreateKeyhubDatabaseAsync()
    {
        await using var store = await SqliteRecordStore.OpenAsync(DatabasePath, Ct);
    }
}
