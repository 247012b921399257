namespace Keyhub.Storage.Sqlite.Tests;

public sealed class SqliteMigrationsTests
{
    [Fact]
    public void Steps_are_numbered_consecutively_from_one()
    {
        Assert.Equal(
            Enumerable.Range(1, SqliteMigrations.All.Count),
            SqliteMigrations.All.Select(m => m.TargetVersion));
    }

    [Fact]
    public void Every_format_version_has_a_committed_golden_database()
    {
        foreach (var step in SqliteMigrations.All)
        {
            Assert.True(
                File.Exists(Path.Combine(AppContext.BaseDirectory, "Golden", $"format-v{step.TargetVersion}.db")),
                $"Golden/format-v{step.TargetVersion}.db is missing: generate it while that version is current.");
        }
    }
}
