using System.Collections.Concurrent;
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

    // Open readers kept between reads: opening one runs the pragmas above, which cost more than a
    // typical point read. Idle readers hold no read transaction, so they never block a checkpoint.
    private const int MaxIdleReaders = 16;
    private readonly ConcurrentBag<SqliteConnection> _idleReaders = [];
    private readonly string _writerConnectionString;
    private readonly string _readerConnectionString;
    private int _closed;

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

    /// <summary>A reader for one query, from the idle set when one is there; dispose the lease to give it back.</summary>
    public async ValueTask<ReaderLease> RentReaderAsync(CancellationToken cancellationToken) =>
        new(this, _idleReaders.TryTake(out var idle) ? idle : await OpenReaderAsync(cancellationToken));

    private void Return(SqliteConnection connection)
    {
        if (Volatile.Read(ref _closed) == 1 || _idleReaders.Count >= MaxIdleReaders)
        {
            connection.Dispose();
            return;
        }
        _idleReaders.Add(connection);
    }

    /// <summary>Closes idle readers now and the busy ones when they are returned.</summary>
    public void ClearReaderPool()
    {
        Volatile.Write(ref _closed, 1);
        while (_idleReaders.TryTake(out var idle))
        {
            idle.Dispose();
        }
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

    /// <summary>A rented reader; disposing it returns the connection for the next read.</summary>
    internal readonly struct ReaderLease(SqliteConnectionFactory owner, SqliteConnection connection) : IAsyncDisposable
    {
        public SqliteConnection Connection => connection;

        public ValueTask DisposeAsync()
        {
            owner.Return(connection);
            return ValueTask.CompletedTask;
        }
    }
}
