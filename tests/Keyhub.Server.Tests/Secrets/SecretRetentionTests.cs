using Azure.Security.KeyVault.Secrets;
using Keyhub.Core.Authorization;
using Keyhub.Server.Hosting;
using Keyhub.Server.Tests.Infrastructure;
using static Keyhub.Server.Tests.Secrets.SecretAssertions;

namespace Keyhub.Server.Tests.Secrets;

/// <summary>
/// A vault's retention and purge protection show in <c>recoverableDays</c>, <c>recoveryLevel</c> and
/// <c>scheduledPurgeDate</c>, and purge protection refuses purge with 403 (wire.md §5.3, §6).
/// </summary>
public sealed class SecretRetentionTests
{
    [Fact]
    public async Task Retention_and_purge_protection_of_a_vault_shape_its_deleted_secrets()
    {
        var guardedPort = FreePort.Next();
        var shortPort = FreePort.Next();
        await using var server = await KeyhubTestServer.StartAsync(configure: o => o with
        {
            Vaults =
            [
                new VaultBinding { Name = "guarded", Port = guardedPort, RetentionDays = 7, PurgeProtection = true },
                new VaultBinding { Name = "short", Port = shortPort, RetentionDays = 30 },
            ],
        });
        var guarded = await ClientForAsync(server, "guarded", guardedPort);
        var shortLived = await ClientForAsync(server, "short", shortPort);
        var name = UniqueName("retained");

        var set = (await guarded.SetSecretAsync(name, "v")).Value;
        Assert.Equal(7, set.Properties.RecoverableDays);
        Assert.Equal("CustomizedRecoverable", set.Properties.RecoveryLevel);
        var deleted = (await (await guarded.StartDeleteSecretAsync(name)).WaitForCompletionAsync()).Value;
        Assert.Equal(deleted.DeletedOn!.Value.AddDays(7), deleted.ScheduledPurgeDate);
        Assert.Equal(new Uri($"https://localhost:{guardedPort}/deletedsecrets/{name}"), deleted.RecoveryId);

        var refused = await FailsWith(403, "Forbidden", () => guarded.PurgeDeletedSecretAsync(name));
        Assert.Contains("urge protection", ErrorMessage(refused), StringComparison.Ordinal);
        Assert.NotNull((await guarded.GetDeletedSecretAsync(name)).Value);
        await (await guarded.StartRecoverDeletedSecretAsync(name)).WaitForCompletionAsync();
        Assert.Equal("v", (await guarded.GetSecretAsync(name)).Value.Value);

        var other = (await shortLived.SetSecretAsync(name, "w")).Value;
        Assert.Equal(30, other.Properties.RecoverableDays);
        Assert.Equal("CustomizedRecoverable+Purgeable", other.Properties.RecoveryLevel);
        var shortDeleted = (await (await shortLived.StartDeleteSecretAsync(name)).WaitForCompletionAsync()).Value;
        Assert.Equal(shortDeleted.DeletedOn!.Value.AddDays(30), shortDeleted.ScheduledPurgeDate);
        Assert.Equal(204, (await shortLived.PurgeDeletedSecretAsync(name)).Status);

        // Vaults are separate: the guarded vault's secret is untouched by the other vault's purge.
        Assert.Equal("v", (await guarded.GetSecretAsync(name)).Value.Value);
    }

    private static async Task<SecretClient> ClientForAsync(KeyhubTestServer server, string vault, int port)
    {
        var (clientId, clientSecret, _) = await server.AddPrincipalAsync($"{vault}-admin", BuiltInRoles.Administrator, $"/vaults/{vault}");
        return new SecretClient(new Uri($"https://localhost:{port}"), server.Credential(clientId, clientSecret), server.SecretOptions());
    }
}
