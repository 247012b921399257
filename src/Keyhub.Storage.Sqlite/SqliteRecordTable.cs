using Keyhub.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Keyhub.Storage.Sqlite;

/// <summary>
/// The SQL for the records table and the mapping between its rows and <see cref="StoredRecord"/>.
/// Timestamps are Unix milliseconds in UTC, so a record keeps its instant but not its offset.
/// </summary>
internal static class SqliteRecordTable
{
    public const string Columns = "vault, kind, name, version, created, updated, deleted, purge_at, expires, enabled, payload";

    private const string Values = "$vault, $kind, $name, $version, $created, $updated, $deleted, $purge_at, $expires, $enabled, $payload";

    private const string KeyMatches = "vault = $vault AND kind = $kind AND name = $name AND version = $version";

    public const string Select = $"SELECT {Columns} FROM records WHERE {KeyMatches};";

    /// <summary>Inserts nothing when the key exists; the caller reads that as a conflict from the row count.</summary>
    public const string Insert = $"""
        INSERT INTO records ({Columns}) VALUES ({Values})
            ON CONFLICT (vault, kind, name, version) DO NOTHING;
        """;

    public const string Upsert = $"""
        INSERT INTO records ({Columns}) VALUES ({Values})
            ON CONFLICT (vault, kind, name, version) DO UPDATE SET
                created = excluded.created, updated = excluded.updated, deleted = excluded.deleted,
                purge_at = excluded.purge_at, expires = excluded.expires, enabled = excluded.enabled,
                payload = excluded.payload;
        """;

    public const string Delete = $"DELETE FROM records WHERE {KeyMatches};";

    public const string SwapPayload = $"UPDATE records SET payload = $payload WHERE {KeyMatches} AND payload = $expected;";

    /// <summary>
    /// A page of the whole table in primary-key order. The row-value comparison seeks the primary key, so a
    /// sweep over every record stays linear; the first page leaves it out for the same reason as <see cref="SelectPage"/>.
    /// </summary>
    public static string SelectScan(bool hasStart) => $"""
        SELECT {Columns} FROM records
        {(hasStart ? "WHERE (vault, kind, name, version) > ($vault, $kind, $name, $version)" : "")}
        ORDER BY vault COLLATE BINARY, kind COLLATE BINARY, name COLLATE BINARY, version COLLATE BINARY
        LIMIT $limit;
        """;

    public const string DeleteName = "DELETE FROM records WHERE vault = $vault AND kind = $kind AND name = $name;";

    /// <summary>Oldest first, so a purge sweep that stops at its limit resumes where it is most overdue.</summary>
    public const string SelectDueForPurge = """
        SELECT vault, kind, name, version FROM records
        WHERE kind = $kind AND purge_at <= $now
        ORDER BY purge_at, vault, name, version
        LIMIT $limit;
        """;

    /// <summary>
    /// A page in the order of the primary key. BINARY compares UTF-8 bytes, which orders exactly as
    /// ordinal UTF-16 comparison except that characters above U+FFFF sort after U+E000-U+FFFF.
    /// </summary>
    public static string SelectPage(RecordQuery query)
    {
        // The continuation filter is left out rather than written "($after IS NULL OR …)": that form
        // stops SQLite from seeking the primary key to the page's start, making each page read every
        // earlier row (listing everything quadratic in the count).
        var filters = new List<string> { "vault = $vault", "kind = $kind" };
        if (query.Name is null)
        {
            if (query.After is not null)
            {
                filters.Add("name > $after");
            }
        }
        else
        {
            filters.Add("name = $name");
            if (query.After is not null)
            {
                filters.Add("version > $after");
            }
        }
        switch (query.Deleted)
        {
            case DeletedFilter.Live:
                filters.Add("deleted IS NULL");
                break;
            case DeletedFilter.Deleted:
                filters.Add("deleted IS NOT NULL");
                break;
            default:
                break;
        }
        return $"""
            SELECT {Columns} FROM records
            WHERE {string.Join(" AND ", filters)}
            ORDER BY name COLLATE BINARY, version COLLATE BINARY
            LIMIT $limit;
            """;
    }

    public static void BindKey(SqliteCommand command, RecordKey key)
    {
        command.Parameters.AddWithValue("$vault", key.Vault);
        command.Parameters.AddWithValue("$kind", key.Kind);
        command.Parameters.AddWithValue("$name", key.Name);
        command.Parameters.AddWithValue("$version", key.Version);
    }

    public static void BindRecord(SqliteCommand command, StoredRecord record)
    {
        BindKey(command, record.Key);
        command.Parameters.AddWithValue("$created", record.Created.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$updated", record.Updated.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$deleted", ToNullableMilliseconds(record.Deleted));
        command.Parameters.AddWithValue("$purge_at", ToNullableMilliseconds(record.PurgeAt));
        command.Parameters.AddWithValue("$expires", ToNullableMilliseconds(record.Expires));
        command.Parameters.AddWithValue("$enabled", record.Enabled ? 1L : 0L);
        command.Parameters.Add("$payload", SqliteType.Blob).Value = record.Payload;
    }

    /// <summary>Reads a row selected with <see cref="Columns"/>.</summary>
    public static StoredRecord ReadRecord(SqliteDataReader reader) => new()
    {
        Key = ReadKey(reader),
        Created = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        Updated = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        Deleted = ReadNullableTimestamp(reader, 6),
        PurgeAt = ReadNullableTimestamp(reader, 7),
        Expires = ReadNullableTimestamp(reader, 8),
        Enabled = reader.GetInt64(9) != 0,
        Payload = reader.GetFieldValue<byte[]>(10),
    };

    public static RecordKey ReadKey(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));

    private static object ToNullableMilliseconds(DateTimeOffset? value) =>
        value is { } instant ? instant.ToUnixTimeMilliseconds() : DBNull.Value;

    private static DateTimeOffset? ReadNullableTimestamp(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}
