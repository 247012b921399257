namespace Keyhub.Storage.Sqlite;

/// <summary>
/// The on-disk format, as the ordered steps that build it. A shipped step is never edited: databases in
/// the field were made by it and the committed golden files prove it. Change the format by appending a
/// step with the next version, and add a golden database for that version.
/// </summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<SqliteMigration> All { get; } =
    [
        // Version 1. Only identifiers, timestamps (Unix milliseconds, UTC) and the enabled flag are in the
        // clear; the payload is ciphertext. STRICT makes SQLite refuse a value of the wrong type instead of
        // storing it quietly. Text columns use the default BINARY collation so that ordering is
        // byte-for-byte, which paging relies on. The purge index covers only rows waiting to be purged.
        new(1, """
            CREATE TABLE keyhub_meta (
                key   TEXT NOT NULL PRIMARY KEY,
                value TEXT NOT NULL
            ) STRICT, WITHOUT ROWID;

            CREATE TABLE records (
                vault    TEXT    NOT NULL,
                kind     TEXT    NOT NULL,
                name     TEXT    NOT NULL,
                version  TEXT    NOT NULL,
                created  INTEGER NOT NULL,
                updated  INTEGER NOT NULL,
                deleted  INTEGER NULL,
                purge_at INTEGER NULL,
                expires  INTEGER NULL,
                enabled  INTEGER NOT NULL CHECK (enabled IN (0, 1)),
                payload  BLOB    NOT NULL,
                PRIMARY KEY (vault, kind, name, version)
            ) STRICT, WITHOUT ROWID;

            CREATE INDEX records_purge ON records (kind, purge_at) WHERE purge_at IS NOT NULL;
            """),
    ];

    public static int CurrentVersion => All[^1].TargetVersion;
}
