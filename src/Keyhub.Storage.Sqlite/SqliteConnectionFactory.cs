using Microsoft.Data.Sqlite;

namespace Keyhub.Storage.Sqlite;

/// <summary>
/// Opens the two kinds of connection a store uses on one file: the single long-lived writer and pooled
/// read-only readers.
/// </summary>
internal sealed class SqliteConnectionFactory
{
    // synchronous, secure_delete, foreign_keys and busy_timeout belong to the connection, not the file,
    // so every connection sets them; journal_mode is stored in the file but asserting it costs nothing.
    // FULL makes a commit durable before WriteAsync returns; secure_delete zeroes removed payloads.
    private const string ConnectionPragmas = """
        PRAGMA busy_timeout = 5000;
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = FULL;
        PRAGMA secure_delete = ON;
        PRAGMA foreign_keys = ON;
        """;

    private readonly string _writerConnectionString;
    private readonly string _readerConnectionString;

    public SqliteConnectionFactory(string fullPath)
    {
        Path = fullPath;
        _writerConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString();
        // Readers cannot write even by mistake; that keeps the store single-writer by construction.
        _readerConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = true,
        }.ToString();
    }

    public string Path { get; }

    public Task<SqliteConnection> OpenWriterAsync(CancellationToken cancellationToken) =>
        OpenAsync(_writerConnectionString, cancellationToken);

    public Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken) =>
        OpenAsync(_readerConnectionString, cancellationToken);

    /// <summary>Closes idle pooled readers now and the busy ones when they are returned.</summary>
    public void ClearReaderPool()
    {
        using var connection = new SqliteConnection(_readerConnectionString);
        SqliteConnection.ClearPool(connection);
    }

    private static async Task<SqliteConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            using var command = connection.CreateCommand();
            command.CommandText = ConnectionPragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
