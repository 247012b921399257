namespace Keyhub.Storage.Sqlite;

/// <summary>
/// The file at the configured path is not a Keyhub database this build can use: not SQLite, another
/// application's database, or a newer Keyhub format. The file is left as it was.
/// </summary>
public sealed class SqliteStoreFormatException(string message, Exception? innerException = null)
    : Exception(message, innerException);
