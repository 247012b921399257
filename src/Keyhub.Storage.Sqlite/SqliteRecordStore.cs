using Keyhub.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Keyhub.Storage.Sqlite;

/// <summary>
/// <see cref="IRecordStore"/> on one SQLite file in WAL mode: one long-lived writer connection, used by
/// one write at a time, and pooled read-only connections, so reads never wait for a write.
/// </summary>
public sealed class SqliteRecordStore : IRecordStore
{
    private readonly SqliteConnectionFactory _connections;
    private readonly SqliteConnection _writer;
    // The writer connection is not thread-safe and SQLite admits one writer anyway; queueing here keeps
    // writes from spinning on SQLITE_BUSY.
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    // In-process stamps are enough: the server holds the data folder's exclusive lock, so no other
    // process writes this file while it runs.
    private readonly ChangeStamps _stamps = new();
    private int _disposed;

    private SqliteRecordStore(SqliteConnectionFactory connections, SqliteConnection writer, int formatVersion)
    {
        _connections = connections;
        _writer = writer;
        FormatVersion = formatVersion;
    }

    public int FormatVersion { get; }

    /// <summary>
    /// Opens or creates the database at <paramref name="path"/> and migrates it to the current format.
    /// Throws <see cref="SqliteStoreFormatException"/>, leaving the file untouched, if it is not a Keyhub
    /// database or is in a newer format.
    /// </summary>
    public static async Task<SqliteRecordStore> OpenAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var connections = new SqliteConnectionFactory(Path.GetFullPath(path));
        await SqliteFormat.ProbeAsync(connections.Path, cancellationToken);
        var writer = await connections.OpenWriterAsync(cancellationToken);
        try
        {
            var version = await SqliteFormat.MigrateAsync(writer, connections.Path, cancellationToken);
            return new SqliteRecordStore(connections, writer, version);
        }
        catch
        {
            await writer.DisposeAsync();
            throw;
        }
    }

    public async Task<StoredRecord?> GetAsync(RecordKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfDisposed();
        await using var lease = await _connections.RentReaderAsync(cancellationToken);
        var connection = lease.Connection;
        using var command = connection.CreateCommand();
        command.CommandText = SqliteRecordTable.Select;
        SqliteRecordTable.BindKey(command, key);
        using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? SqliteRecordTable.ReadRecord(reader) : null;
    }

    public async Task<IReadOnlyList<StoredRecord>> ListAsync(RecordQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfDisposed();
        await using var lease = await _connections.RentReaderAsync(cancellationToken);
        var connection = lease.Connection;
        using var command = connection.CreateCommand();
        command.CommandText = SqliteRecordTable.SelectPage(query);
        command.Parameters.AddWithValue("$vault", query.Vault);
        command.Parameters.AddWithValue("$kind", query.Kind);
        command.Parameters.AddWithValue("$name", (object?)query.Name ?? DBNull.Value);
        command.Parameters.AddWithValue("$after", (object?)query.After ?? DBNull.Value);
        // A negative LIMIT means "no limit" to SQLite; the contract takes it as an empty page.
        command.Parameters.AddWithValue("$limit", Math.Max(0, query.Limit));
        using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var page = new List<StoredRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            page.Add(SqliteRecordTable.ReadRecord(reader));
        }
        return page;
    }

    public async Task<IReadOnlyList<RecordKey>> ListDueForPurgeAsync(string kind, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ThrowIfDisposed();
        await using var lease = await _connections.RentReaderAsync(cancellationToken);
        var connection = lease.Connection;
        using var command = connection.CreateCommand();
        command.CommandText = SqliteRecordTable.SelectDueForPurge;
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$limit", Math.Max(0, limit));
        using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var due = new List<RecordKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add(SqliteRecordTable.ReadKey(reader));
        }
        return due;
    }

    public async Task<IReadOnlyList<StoredRecord>> ScanAsync(RecordKey? after, int limit, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await using var lease = await _connections.RentReaderAsync(cancellationToken);
        using var command = lease.Connection.CreateCommand();
        command.CommandText = SqliteRecordTable.SelectScan(after is not null);
        if (after is not null)
        {
            SqliteRecordTable.BindKey(command, after);
        }
        command.Parameters.AddWithValue("$limit", Math.Max(0, limit));
        using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var page = new List<StoredRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            page.Add(SqliteRecordTable.ReadRecord(reader));
        }
        return page;
    }

    public async Task WriteAsync(IReadOnlyList<RecordWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ThrowIfDisposed();
        if (writes.Count == 0)
        {
            return;
        }
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfDisposed();
            // BEGIN IMMEDIATE: take the write lock up front rather than upgrading mid-batch, which could
            // fail with SQLITE_BUSY after some writes had run. Disposing without commit rolls back.
            using var transaction = _writer.BeginTransaction(deferred: false);
            foreach (var write in writes)
            {
                await ApplyAsync(write, transaction, cancellationToken);
            }
            // With synchronous=FULL the commit returns once the WAL is synced: the batch is durable.
            await transaction.CommitAsync(cancellationToken);
            _stamps.Advance(writes);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public long ChangeStamp(string vault, string kind) => _stamps.Get(vault, kind);

    public async Task CompactAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfDisposed();
            // secure_delete has already zeroed removed rows in the newest page images; TRUNCATE copies
            // those into the database file and cuts the WAL, which still holds older images, to zero
            // bytes. It waits (busy_timeout) for readers on an older snapshot.
            using var command = _writer.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (reader.GetInt64(0) != 0)
            {
                throw new IOException($"Could not checkpoint '{_connections.Path}': readers kept the write-ahead log in use.");
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        // Let a write in progress finish; later ones see the store disposed. The gate itself is never
        // disposed (it holds no wait handle), so a racing caller fails with the store's own
        // ObjectDisposedException rather than the semaphore's.
        await _writeGate.WaitAsync(CancellationToken.None);
        try
        {
            _connections.ClearReaderPool();
            // Closed last, the writer is the file's last connection: SQLite checkpoints and deletes the
            // -wal and -shm files, leaving one self-contained file.
            await _writer.DisposeAsync();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    internal SqliteConnectionFactory Connections => _connections;

    /// <summary>Reads a setting of the writer connection itself, so tests can see what writes run under.</summary>
    internal async Task<object?> ReadWriterPragmaAsync(string pragma, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            using var command = _writer.CreateCommand();
            command.CommandText = $"PRAGMA {pragma};";
            return await command.ExecuteScalarAsync(cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task ApplyAsync(RecordWrite write, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = transaction;
        switch (write)
        {
            case RecordWrite.Put put:
                command.CommandText = SqliteRecordTable.Upsert;
                SqliteRecordTable.BindRecord(command, put.Record);
                break;
            case RecordWrite.Insert insert:
                command.CommandText = SqliteRecordTable.Insert;
                SqliteRecordTable.BindRecord(command, insert.Record);
                break;
            case RecordWrite.Remove remove:
                command.CommandText = SqliteRecordTable.Delete;
                SqliteRecordTable.BindKey(command, remove.Key);
                break;
            case RecordWrite.SwapPayload swap:
                command.CommandText = SqliteRecordTable.SwapPayload;
                SqliteRecordTable.BindKey(command, swap.Key);
                command.Parameters.Add("$expected", SqliteType.Blob).Value = swap.Expected;
                command.Parameters.Add("$payload", SqliteType.Blob).Value = swap.Payload;
                break;
            case RecordWrite.RemoveAll all:
                command.CommandText = SqliteRecordTable.DeleteName;
                command.Parameters.AddWithValue("$vault", all.Vault);
                command.Parameters.AddWithValue("$kind", all.Kind);
                command.Parameters.AddWithValue("$name", all.Name);
                break;
            default:
                throw new ArgumentException("Unknown write.", nameof(write));
        }
        var changed = await command.ExecuteNonQueryAsync(cancellationToken);
        if (write is RecordWrite.Insert { Record.Key: var key } && changed == 0)
        {
            throw new RecordConflictException(key);
        }
        if (write is RecordWrite.SwapPayload { Key: var swapped } && changed == 0)
        {
            throw new RecordConflictException(swapped);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
