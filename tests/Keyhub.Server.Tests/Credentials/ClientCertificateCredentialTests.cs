using Azure.Identity;
using Keyhub.Core.Authorization;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Credentials;

/// <summary>
/// Azure.Identity's ClientCertificateCredential against Keyhub: a principal with a registered certificate
/// (management API) signs its client assertion with the private key and reads a secret as Secrets User.
/// </summary>
public sealed class ClientCertificateCredentialTests(SharedServer shared, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<SharedServer>
{
    private KeyhubTestServer Server => shared.Server;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClientCertificateCredential_obtains_a_token_and_reads_a_secret(bool sendCertificateChain)
    {
        var name = $"cert-secret-{sendCertificateChain}".ToLowerInvariant();
        var value = await CredentialKit.SeedSecretAsync(Server, name);
        var (clientId, _, _) = await Server.AddPrincipalAsync($"cert-app-{sendCertificateChain}", BuiltInRoles.SecretsUser);
        using var certificate = CredentialKit.NewCertificate();
        await CredentialKit.RegisterCertificateAsync(Server, clientId, certificate);

        var credential = new ClientCertificateCredential(Server.Credentials.TenantId, clientId, certificate, new ClientCertificateCredentialOptions
        {
            AuthorityHost = Server.AuthorityHost,
            DisableInstanceDiscovery = true,
            SendCertificateChain = sendCertificateChain,
            Transport = TestTransport.Azure(Server.CaCertificate),
        });
        var secret = await CredentialKit.SecretClient(Server, credential).GetSecretAsync(name);

        Assert.Equal(value, secret.Value.Value);
    }

    [Fact]
    public async Task ClientCertificateCredential_with_an_unregistered_certificate_fails()
    {
        var (clientId, _, _) = await Server.AddPrincipalAsync("cert-app-unregistered", BuiltInRoles.SecretsUser);
        using var registered = CredentialKit.NewCertificate();
        using var other = CredentialKit.NewCertificate("CN=not-registered");
        await CredentialKit.RegisterCertificateAsync(Server, clientId, registered);

        var credential = new ClientCertificateCredential(Server.Credentials.TenantId, clientId, other, new ClientCertificateCredentialOptions
        {
            AuthorityHost = Server.AuthorityHost,
            DisableInstanceDiscovery = true,
            Transport = TestTransport.Azure(Server.CaCertificate),
        });
        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(
            async () => await credential.GetTokenAsync(new Azure.Core.TokenRequestContext([CredentialKit.VaultScope]), CancellationToken.None));
        output.WriteLine($"{error.GetType().FullName}: {error.Message}");
        Assert.Contains("invalid_client", error.ToString(), StringComparison.Ordinal);
    }
}
