using Keyhub.Core.Vaults;

namespace Keyhub.Core.Tests.Vaults;

public sealed class VaultPropertiesTests
{
    [Fact]
    public void Defaults_are_90_days_retention_without_purge_protection()
    {
        var vault = new VaultProperties { Name = "hub" };

        Assert.Equal(90, vault.RetentionDays);
        Assert.False(vault.PurgeProtection);
    }

    [Theory]
    [InlineData(90, false, "Recoverable+Purgeable")]
    [InlineData(90, true, "Recoverable")]
    [InlineData(7, false, "CustomizedRecoverable+Purgeable")]
    [InlineData(7, true, "CustomizedRecoverable")]
    [InlineData(89, false, "CustomizedRecoverable+Purgeable")]
    [InlineData(89, true, "CustomizedRecoverable")]
    public void Recovery_level_follows_Azure_from_retention_and_purge_protection(int retentionDays, bool purgeProtection, string expected)
    {
        var vault = new VaultProperties { Name = "hub", RetentionDays = retentionDays, PurgeProtection = purgeProtection };

        Assert.Equal(expected, vault.RecoveryLevel);
    }
}
