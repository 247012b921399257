using Microsoft.Data.Sqlite;

namespace Keyhub.Storage.Sqlite.Tests;

/// <summary>Raw access to a database's files, going around the store as an attacker with the disk would.</summary>
internal static class DatabaseFiles
{
    /// <summary>The database file and whatever -wal, -shm or journal file SQLite keeps beside it.</summary>
    public static IEnumerable<string> All(string databasePath) =>
        Directory.EnumerateFiles(Path.GetDirectoryName(databasePath)!, Path.GetFileName(databasePath) + "*");

    /// <summary>Reads a file that SQLite may still have open.</summary>
    public static byte[] Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// Whether any 64-byte slice of <paramref name="secret"/> is in any of the files. Slices, because SQLite
    /// splits a payload larger than a page across overflow pages.
    /// </summary>
    public static bool AnyContains(string databasePath, byte[] secret)
    {
        const int Slice = 64;
        ArgumentOutOfRangeException.ThrowIfLessThan(secret.Length, Slice);
        return All(databasePath).Select(Read).Any(bytes =>
        {
            for (var offset = 0; offset + Slice <= secret.Length; offset += Slice)
            {
                if (bytes.AsSpan().IndexOf(secret.AsSpan(offset, Slice)) >= 0)
                {
                    return true;
                }
            }
            return false;
        });
    }

    /// <summary>An unpooled connection, so that no handle outlives the call.</summary>
    public static async Task<object?> ScalarAsync(string databasePath, string sql)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
