using Microsoft.Data.Sqlite;

namespace Keyhub.Storage.Sqlite;

/// <summary>
/// The markers that say what a database file is: the header's application_id and user_version, whether
/// it has any schema, and the format_version row of keyhub_meta when that table exists.
/// </summary>
internal sealed record SqliteFormatState(int ApplicationId, int UserVersion, bool HasSchema, int? MetaVersion)
{
    public static async Task<SqliteFormatState> ReadAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        var applicationId = await ScalarAsync(connection, transaction, "PRAGMA application_id;", cancellationToken);
        var userVersion = await ScalarAsync(connection, transaction, "PRAGMA user_version;", cancellationToken);
        var objects = await ScalarAsync(connection, transaction, "SELECT count(*) FROM sqlite_schema;", cancellationToken);
        var hasMeta = await ScalarAsync(
            connection,
            transaction,
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'keyhub_meta';",
            cancellationToken);

        int? metaVersion = null;
        if (hasMeta > 0)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT value FROM keyhub_meta WHERE key = 'format_version';";
            var value = await command.ExecuteScalarAsync(cancellationToken);
            metaVersion = value is string text && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : -1;
        }
        return new SqliteFormatState((int)applicationId, (int)userVersion, objects > 0, metaVersion);
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
