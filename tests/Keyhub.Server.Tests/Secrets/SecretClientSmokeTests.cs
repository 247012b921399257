using Azure.Security.KeyVault.Secrets;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Secrets;

[Collection(SharedServerCollection.Name)]
public sealed class SecretClientSmokeTests(SharedServer shared)
{
    [Fact]
    public async Task A_secret_set_with_the_official_client_reads_back()
    {
        var client = shared.Server.SecretClient();
        var set = await client.SetSecretAsync("smoke-one", "smoke-value");
        var got = await client.GetSecretAsync("smoke-one");
        Assert.Equal("smoke-value", got.Value.Value);
        Assert.Equal(set.Value.Properties.Version, got.Value.Properties.Version);
        Assert.Equal(shared.Server.VaultUri, got.Value.Properties.VaultUri);
    }
}
