using Keyhub.Core.Errors;
using Keyhub.Core.Storage;
using Keyhub.Core.Tests.Support;
using Keyhub.Core.Vaults;

namespace Keyhub.Core.Tests.Vaults;

public sealed class VaultRegistryTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Ensure_creates_a_vault_under_its_lower_case_name_and_get_finds_it_in_any_case()
    {
        using var deployment = await TestDeployment.StartAsync();
        var registry = new VaultRegistry(deployment.Store, deployment.Seal, deployment.Time);

        var created = await registry.EnsureAsync(new VaultProperties { Name = "Hub", RetentionDays = 30, PurgeProtection = true }, Ct);

        Assert.Equal("hub", created.Name);
        var found = await registry.GetAsync("HUB", Ct);
        Assert.Equal(created, found);
    }

    [Fact]
    public async Task Ensure_of_an_existing_vault_keeps_its_original_settings()
    {
        using var deployment = await TestDeployment.StartAsync();
        var registry = new VaultRegistry(deployment.Store, deployment.Seal, deployment.Time);
        await registry.EnsureAsync(new VaultProperties { Name = "hub", RetentionDays = 30 }, Ct);

        var again = await registry.EnsureAsync(new VaultProperties { Name = "HUB", RetentionDays = 7, PurgeProtection = true }, Ct);

        Assert.Equal(30, again.RetentionDays);
        Assert.False(again.PurgeProtection);
        Assert.Single(await deployment.Store.ListAsync(new RecordQuery(SystemVault.Name, "vault"), Ct));
    }

    [Fact]
    public async Task Missing_vault_is_null()
    {
        using var deployment = await TestDeployment.StartAsync();
        var registry = new VaultRegistry(deployment.Store, deployment.Seal, deployment.Time);

        Assert.Null(await registry.GetAsync("hub", Ct));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(91)]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Retention_outside_7_to_90_days_is_a_bad_parameter(int days)
    {
        using var deployment = await TestDeployment.StartAsync();
        var registry = new VaultRegistry(deployment.Store, deployment.Seal, deployment.Time);

        var error = await Assert.ThrowsAsync<KeyhubException>(
            () => registry.EnsureAsync(new VaultProperties { Name = "hub", RetentionDays = days }, Ct));

        Assert.Equal(400, error.Status);
        Assert.Null(await registry.GetAsync("hub", Ct));
    }

    [Theory]
    [InlineData("_sys")]
    [InlineData("ab")]
    [InlineData("../hub")]
    [InlineData("hub\n")]
    public async Task Invalid_vault_name_is_a_bad_parameter(string name)
    {
        using var deployment = await TestDeployment.StartAsync();
        var registry = new VaultRegistry(deployment.Store, deployment.Seal, deployment.Time);

        var error = await Assert.ThrowsAsync<KeyhubException>(() => registry.EnsureAsync(new VaultProperties { Name = name }, Ct));

        Assert.Equal(400, error.Status);
    }
}
