using System.Buffers.Binary;

namespace Keyhub.Storage.Sqlite;

/// <summary>
/// The fields of SQLite's 100-byte file header that identify a database, read straight from the file so
/// that a file which is not ours is recognised without SQLite opening it (opening a WAL database creates
/// -wal and -shm files beside it, even read-only).
/// </summary>
/// <remarks>
/// <code>
///  offset  size  field (integers big-endian)
///  ------  ----  ---------------------------------------------------------
///       0    16  "SQLite format 3\0"
///      40     4  schema cookie: 0 until a table or index is first created
///      60     4  user_version: the Keyhub format version
///      68     4  application_id: "KEYH" for a Keyhub database
/// </code>
/// The header on disk can lag changes still in the WAL, so this is a first filter; the format is checked
/// again under the write lock before any migration.
/// </remarks>
internal sealed record SqliteFileHeader(int ApplicationId, int UserVersion, int SchemaCookie)
{
    public const int Length = 100;

    private static ReadOnlySpan<byte> Magic => "SQLite format 3\0"u8;

    /// <summary>Null if the bytes are not the start of a SQLite database.</summary>
    public static SqliteFileHeader? Parse(ReadOnlySpan<byte> header)
    {
        if (header.Length < Length || !header.StartsWith(Magic))
        {
            return null;
        }
        return new SqliteFileHeader(
            ApplicationId: BinaryPrimitives.ReadInt32BigEndian(header[68..]),
            UserVersion: BinaryPrimitives.ReadInt32BigEndian(header[60..]),
            SchemaCookie: BinaryPrimitives.ReadInt32BigEndian(header[40..]));
    }

    public static async Task<SqliteFileHeader?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var buffer = new byte[Length];
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var read = await file.ReadAtLeastAsync(buffer, Length, throwOnEndOfStream: false, cancellationToken);
        return Parse(buffer.AsSpan(0, read));
    }
}
