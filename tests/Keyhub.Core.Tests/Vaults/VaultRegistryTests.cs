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

    [Fact]
    public async Task Update_sets_the_workload_CA_allow_lists_normalised_and_keeps_what_it_is_not_given()
    {
        using var deployment = await TestDeployment.StartAsync();
        var registry = new VaultRegistry(deployment.Store, deployment.Seal, deployment.Time);
        await registry.EnsureAsync(new VaultProperties { Name = "spoke-a" }, Ct);

        await registry.UpdateAsync("spoke-a", new VaultUpdate { CertDnsSuffixes = ["Payments.Internal", ".api.example", "payments.internal"], CertIpRanges = ["10.1.0.0/16"] }, Ct);
        var updated = await registry.UpdateAsync("spoke-a", new VaultUpdate { PurgeProtection = true }, Ct);

        Assert.Equal(["payments.internal", "api.example"], updated.CertDnsSuffixes);
        Assert.Equal(["10.1.0.0/16"], updated.CertIpRanges);
        Assert.True(updated.PurgeProtection);
        Assert.Equal(updated, await registry.GetAsync("spoke-a", Ct));

        var cleared = await registry.UpdateAsync("spoke-a", new VaultUpdate { CertDnsSuffixes = [] }, Ct);
        Assert.Empty(cleared.CertDnsSuffixes);
        Assert.Equal(["10.1.0.0/16"], cleared.CertIpRanges);
    }

    [Theory]
    [InlineData("*.payments.internal", null)]
    [InlineData("payments..internal", null)]
    [InlineData("-payments.internal", null)]
    [InlineData(null, "10.1.2.0/16")]
    [InlineData(null, "10.1.0.0")]
    [InlineData(null, "10.1.0.0/33")]
    public async Task Update_refuses_an_invalid_suffix_or_range_and_changes_nothing(string? suffix, string? range)
    {
        using var deployment = await TestDeployment.StartAsync();
        var registry = new VaultRegistry(deployment.Store, deployment.Seal, deployment.Time);
        await registry.EnsureAsync(new VaultProperties { Name = "spoke-a" }, Ct);

        var error = await Assert.ThrowsAsync<KeyhubException>(() => registry.UpdateAsync("spoke-a", new VaultUpdate
        {
            CertDnsSuffixes = suffix is null ? null : [suffix],
            CertIpRanges = range is null ? null : [range],
        }, Ct));

        Assert.Equal(400, error.Status);
        Assert.Equal(new VaultProperties { Name = "spoke-a" }, await registry.GetAsync("spoke-a", Ct));
    }

    [Fact]
    public async Task A_vault_stored_before_the_allow_lists_existed_loads_with_empty_ones()
    {
        using var deployment = await TestDeployment.StartAsync();
        var key = new RecordKey(SystemVault.Name, "vault", "old-vault", "");
        var now = deployment.Time.GetUtcNow();
        await deployment.Store.WriteAsync(
            [new RecordWrite.Insert(new StoredRecord
            {
                Key = key,
                Created = now,
                Updated = now,
                Payload = SealedJson.Encrypt(deployment.Seal.Barrier, key, new { name = "old-vault", retentionDays = 30, purgeProtection = false, port = 8450 }),
            })],
            Ct);

        var vault = await new VaultRegistry(deployment.Store, deployment.Seal, deployment.Time).GetAsync("old-vault", Ct);

        Assert.NotNull(vault);
        Assert.Equal(30, vault.RetentionDays);
        Assert.Empty(vault.CertDnsSuffixes);
        Assert.Empty(vault.CertIpRanges);
    }
}
