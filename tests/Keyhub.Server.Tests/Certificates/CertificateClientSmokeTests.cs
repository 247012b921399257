using Azure.Security.KeyVault.Certificates;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Certificates;

[Collection(SharedServerCollection.Name)]
public sealed class CertificateClientSmokeTests(SharedServer fixture)
{
    private KeyhubTestServer Server => fixture.Server;

    private CertificateClient Client()
    {
        var options = new CertificateClientOptions(CertificateClientOptions.ServiceVersion.V7_6)
        {
            DisableChallengeResourceVerification = true,
            Transport = TestTransport.Azure(Server.CaCertificate),
        };
        options.Retry.MaxRetries = 0;
        return new CertificateClient(Server.VaultUri, Server.Credential(), options);
    }

    [Fact]
    public async Task A_self_signed_certificate_is_created_read_and_downloaded_with_its_key()
    {
        var client = Client();
        var name = "smoke-" + Guid.NewGuid().ToString("N")[..8];
        var policy = new CertificatePolicy("Self", "CN=smoke.payments.internal") { ContentType = CertificateContentType.Pkcs12 };

        var operation = await client.StartCreateCertificateAsync(name, policy);
        var certificate = (await operation.WaitForCompletionAsync()).Value;
        using var downloaded = (await client.DownloadCertificateAsync(name)).Value;

        Assert.Equal(name, certificate.Name);
        Assert.Equal("CN=smoke.payments.internal", certificate.Policy.Subject);
        Assert.True(downloaded.HasPrivateKey);
        Assert.Equal(certificate.Cer, downloaded.RawData);
    }
}
