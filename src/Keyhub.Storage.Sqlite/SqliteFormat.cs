using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Keyhub.Storage.Sqlite;

/// <summary>
/// Recognises a Keyhub database and brings it to the current format. A file is only ever changed once it
/// is known to be either new or a Keyhub database of this format or an older one.
/// </summary>
internal static class SqliteFormat
{
    /// <summary>"KEYH" in ASCII; SQLite keeps it big-endian at offset 68 of the file header.</summary>
    public const int ApplicationId = 0x4B455948;

    /// <summary>
    /// Inspects an existing file's header before the writer opens it: switching to WAL rewrites the
    /// header, and recovery may checkpoint, so a file that is not ours must be refused first.
    /// </summary>
    public static async Task ProbeAsync(string path, CancellationToken cancellationToken)
    {
        var file = new FileInfo(path);
        if (!file.Exists || file.Length == 0)
        {
            return;
        }
        var header = await SqliteFileHeader.ReadAsync(path, cancellationToken)
            ?? throw new SqliteStoreFormatException($"'{path}' is not a SQLite database.");
        if (header is { ApplicationId: 0 or ApplicationId, UserVersion: 0, SchemaCookie: 0 })
        {
            return;
        }
        CheckKeyhubAndNotNewer(header.ApplicationId, header.UserVersion, path);
    }

    /// <summary>Applies every step newer than the file's version in one write transaction.</summary>
    public static async Task<int> MigrateAsync(SqliteConnection writer, string path, CancellationToken cancellationToken)
    {
        using var transaction = writer.BeginTransaction(deferred: false);
        // Read again under the write lock: another process may have created or migrated the file since the probe.
        var state = await SqliteFormatState.ReadAsync(writer, transaction, cancellationToken);
        var version = CheckUsable(state, path);
        if (version == SqliteMigrations.CurrentVersion)
        {
            return version;
        }

        foreach (var migration in SqliteMigrations.All.Where(m => m.TargetVersion > version))
        {
            await ExecuteAsync(writer, transaction, migration.Sql, cancellationToken);
        }
        var current = SqliteMigrations.CurrentVersion.ToString(CultureInfo.InvariantCulture);
        // Both header fields are part of page 1, so they commit or roll back with the schema.
        await ExecuteAsync(
            writer,
            transaction,
            $"""
            PRAGMA application_id = {ApplicationId.ToString(CultureInfo.InvariantCulture)};
            PRAGMA user_version = {current};
            INSERT INTO keyhub_meta (key, value) VALUES ('format_version', '{current}')
                ON CONFLICT (key) DO UPDATE SET value = excluded.value;
            """,
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return SqliteMigrations.CurrentVersion;
    }

    /// <summary>Returns the file's format version (0 for a new, empty file) or throws if it must not be touched.</summary>
    internal static int CheckUsable(SqliteFormatState state, string path)
    {
        if (!state.HasSchema && state.UserVersion == 0 && state.ApplicationId is 0 or ApplicationId)
        {
            return 0;
        }
        var version = CheckKeyhubAndNotNewer(state.ApplicationId, Math.Max(state.UserVersion, state.MetaVersion ?? 0), path);
        if (state.MetaVersion != state.UserVersion)
        {
            throw new SqliteStoreFormatException(
                $"'{path}' is a Keyhub database whose format markers disagree (user_version {state.UserVersion}, format_version {state.MetaVersion?.ToString(CultureInfo.InvariantCulture) ?? "missing"}).");
        }
        return version;
    }

    private static int CheckKeyhubAndNotNewer(int applicationId, int version, string path)
    {
        if (applicationId != ApplicationId)
        {
            throw new SqliteStoreFormatException(
                $"'{path}' is a SQLite database of another application (application_id {applicationId}), not a Keyhub database.");
        }
        if (version > SqliteMigrations.CurrentVersion)
        {
            throw new SqliteStoreFormatException(
                $"'{path}' is a Keyhub database in format version {version}, newer than the version {SqliteMigrations.CurrentVersion} this build understands. Upgrade Keyhub; the file was not changed.");
        }
        return version;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
