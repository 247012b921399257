namespace Keyhub.Storage.Sqlite;

/// <summary>One step of the on-disk format: the SQL that takes a database from the previous version to <see cref="TargetVersion"/>.</summary>
internal sealed record SqliteMigration(int TargetVersion, string Sql);
