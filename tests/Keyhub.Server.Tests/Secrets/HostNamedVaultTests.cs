using Azure.Security.KeyVault.Secrets;
using Keyhub.Core.Authorization;
using Keyhub.Server.Hosting;
using Keyhub.Server.Tests.Infrastructure;
using static Keyhub.Server.Tests.Secrets.SecretAssertions;

namespace Keyhub.Server.Tests.Secrets;

/// <summary>
/// A vault addressed by host name under the base domain (design.md §4), reached by a stock client with
/// challenge-resource verification left on: the challenge names <c>resource="https://vault.keyhub.test"</c>,
/// a strict parent of <c>named.vault.keyhub.test</c> (wire.md §1.3). DNS is replaced by the client's
/// ConnectCallback mapping every name to 127.0.0.1.
/// </summary>
public sealed class HostNamedVaultTests
{
    [Fact]
    public async Task A_vault_addressed_by_host_name_works_with_challenge_resource_verification_on()
    {
        await using var server = await KeyhubTestServer.StartAsync(
            configure: o => o with { BaseDomain = "vault.keyhub.test", Vaults = [new VaultBinding { Name = "named" }] });
        var (clientId, clientSecret, _) = await server.AddPrincipalAsync("named-admin", BuiltInRoles.Administrator, "/vaults/named");
        var vaultUri = new Uri($"https://named.vault.keyhub.test:{server.Port}");
        var options = server.SecretOptions(mapHosts: true);
        Assert.False(options.DisableChallengeResourceVerification);
        var client = new SecretClient(vaultUri, server.Credential(clientId, clientSecret), options);
        var name = UniqueName("by-host");

        var set = (await client.SetSecretAsync(name, "hello from a named vault")).Value;
        var got = (await client.GetSecretAsync(name)).Value;

        Assert.Equal("hello from a named vault", got.Value);
        Assert.Equal("named.vault.keyhub.test", got.Id.Host);
        Assert.Equal(server.Port, got.Id.Port);
        IsVersionedId(got.Properties, vaultUri, name);
        Assert.Equal(set.Properties.Version, got.Properties.Version);

        var listed = new List<SecretProperties>();
        await foreach (var item in client.GetPropertiesOfSecretsAsync())
        {
            listed.Add(item);
        }
        Assert.Equal(vaultUri, Assert.Single(listed).VaultUri);

        // The hub vault on the same server is a different vault: the secret is not there.
        await FailsWith(404, "SecretNotFound", () => server.SecretClient().GetSecretAsync(name));
    }
}
