using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Azure.Security.KeyVault.Certificates;
using Keyhub.Server.Tests.Access;
using Keyhub.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using static Keyhub.Server.Tests.Certificates.CertificateKit;

namespace Keyhub.Server.Tests.Certificates;

/// <summary>
/// The <c>Keyhub</c> issuer end to end: the deployment Owner gives the hub vault a DNS suffix, a certificate
/// issued by the workload CA chains to the root published at <c>/keyhub/v1/ca</c> (and to nothing else), a
/// real Kestrel serves TLS with it to a client that trusts only that root, clients that do not trust it
/// fail, and a name outside the vault's allow-list is refused without changing the stored certificate.
/// </summary>
[Collection(CertificatesServerCollection.Name)]
public sealed class WorkloadCaIssuanceTests(CertificatesServer fixture)
{
    private const string Suffix = "payments.keyhub.test";

    private CertificateClient Admin => fixture.Admin;

    [Fact]
    public async Task A_workload_certificate_chains_to_the_published_root_and_serves_TLS_to_a_client_trusting_only_that_root()
    {
        await AllowSuffixAsync();
        var (intermediate, root) = await PublishedChainAsync();
        var host = "api." + Suffix;
        var name = UniqueName("workload-tls");
        var policy = new CertificatePolicy("Keyhub", $"CN={host}", new SubjectAlternativeNames { DnsNames = { host } })
        {
            ContentType = CertificateContentType.Pkcs12,
            ValidityInMonths = 3,
        };

        var created = await Admin.CreateAsync(name, policy);

        using var leaf = Load(created.Cer);
        Assert.Equal(intermediate.Subject, leaf.Issuer);
        Assert.Equal([host], SubjectAlternativeNames(leaf)["dns"]);
        Assert.True(ChainsTo(leaf, root, intermediate), "The workload certificate does not chain to the published root.");
        Assert.False(ChainsTo(leaf, fixture.Server.CaCertificate, intermediate), "The workload certificate chains to Keyhub's own TLS CA.");
        var operation = await Admin.GetCertificateOperationAsync(name);
        Assert.Equal("Keyhub", operation.Properties.IssuerName);
        Assert.Equal("completed", operation.Properties.Status);

        // The secret carries the chain a server sends; the download carries the key.
        var secret = (await fixture.Server.SecretClient().GetSecretAsync(name)).Value;
        var bundle = X509CertificateLoader.LoadPkcs12Collection(Convert.FromBase64String(secret.Value), null);
        Assert.Contains(bundle, c => c.RawData.SequenceEqual(intermediate.RawData));
        using var serving = (await Admin.DownloadCertificateAsync(name)).Value;
        Assert.True(serving.HasPrivateKey);

        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(port, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = serving,
            ServerCertificateChain = [intermediate],
        })));
        await using var app = builder.Build();
        app.MapGet("/", () => "hello over workload TLS");
        await app.StartAsync();

        var url = new Uri($"https://{host}:{port}/");
        using (var trusting = new HttpClient(Handler(root)))
        {
            Assert.Equal("hello over workload TLS", await trusting.GetStringAsync(url));
        }
        // A client trusting only Keyhub's own TLS CA, or the system store, refuses the handshake.
        using (var keyhubOnly = new HttpClient(Handler(fixture.Server.CaCertificate)))
        {
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => keyhubOnly.GetStringAsync(url));
            Assert.IsType<AuthenticationException>(refused.InnerException);
        }
        using (var system = new HttpClient(Handler(null)))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => system.GetStringAsync(url));
        }
        // The name is checked too: the same root, another name, no connection.
        using (var otherName = new HttpClient(Handler(root)))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => otherName.GetStringAsync(new Uri($"https://other.{Suffix}:{port}/")));
        }
        await app.StopAsync();
        foreach (var c in bundle)
        {
            c.Dispose();
        }
    }

    [Fact]
    public async Task A_name_outside_the_vaults_allow_list_is_refused_and_the_stored_PEM_certificate_and_policy_stay()
    {
        await AllowSuffixAsync();
        var name = UniqueName("workload-guarded");
        var host = "guarded." + Suffix;
        var created = await Admin.CreateAsync(name, new CertificatePolicy("Keyhub", $"CN={host}", new SubjectAlternativeNames { DnsNames = { host } })
        {
            ContentType = CertificateContentType.Pem,
        });
        // As PEM the secret holds the key, then the chain leaf first; DownloadCertificate still gives the leaf with its key.
        var pem = (await fixture.Server.SecretClient().GetSecretAsync(name)).Value.Value;
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        Assert.Equal(3, pem.Split("-----BEGIN CERTIFICATE-----").Length - 1);
        using (var downloaded = (await Admin.DownloadCertificateAsync(name)).Value)
        {
            Assert.True(downloaded.HasPrivateKey);
            Assert.Equal(created.Cer, downloaded.RawData);
        }

        var outside = new[]
        {
            new CertificatePolicy("Keyhub", $"CN={host}", new SubjectAlternativeNames { DnsNames = { "api.bank.example" } }),
            new CertificatePolicy("Keyhub", "CN=evil.example"),
            new CertificatePolicy("Keyhub", $"CN={host}", new SubjectAlternativeNames { DnsNames = { host, "*.keyhub.test" } }),
            new CertificatePolicy("Keyhub", $"CN={host}", new SubjectAlternativeNames { Emails = { "ops@" + Suffix } }),
            new CertificatePolicy("Keyhub", $"CN={host}", new SubjectAlternativeNames { IpAddresses = { "10.9.8.7" } }),
        };
        foreach (var policy in outside)
        {
            await FailsWith(400, "BadParameter", () => Admin.StartCreateCertificateAsync(name, policy));
            await FailsWith(400, "BadParameter", () => Admin.StartCreateCertificateAsync(UniqueName("workload-never"), policy));
        }

        var latest = (await Admin.GetCertificateAsync(name)).Value;
        Assert.Equal(created.Properties.Version, latest.Properties.Version);
        Assert.Equal($"CN={host}", latest.Policy.Subject);
        Assert.Equal([host], latest.Policy.SubjectAlternativeNames.DnsNames);
        Assert.Equal("Keyhub", latest.Policy.IssuerName);
        Assert.Single(await Admin.GetPropertiesOfCertificateVersionsAsync(name).ToListAsync());
        Assert.Equal("completed", (await Admin.GetCertificateOperationAsync(name)).Properties.Status);
    }

    /// <summary>The deployment Owner (the dev admin) allows <see cref="Suffix"/> for the hub vault through the management API.</summary>
    private async Task AllowSuffixAsync()
    {
        using var management = await ManagementClient.ConnectAsync(fixture.Server, fixture.Server.Credentials.ClientId, fixture.Server.Credentials.ClientSecret);
        var vault = (await management.PatchAsync("/vaults/hub", new JsonObject { ["certDnsSuffixes"] = new JsonArray(Suffix) })).Ok();
        Assert.Equal([Suffix], vault.GetProperty("certDnsSuffixes").EnumerateArray().Select(s => s.GetString()));
    }

    /// <summary>GET /keyhub/v1/ca without a token: PEM, intermediate first, then the root.</summary>
    private async Task<(X509Certificate2 Intermediate, X509Certificate2 Root)> PublishedChainAsync()
    {
        using var http = fixture.Server.HttpClient();
        using var response = await http.GetAsync(new Uri("/keyhub/v1/ca", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(await response.Content.ReadAsStringAsync());
        Assert.Equal(2, chain.Count);
        Assert.Equal(chain[1].Subject, chain[1].Issuer);
        Assert.Equal(chain[1].Subject, chain[0].Issuer);
        return (chain[0], chain[1]);
    }

    private static bool ChainsTo(X509Certificate2 leaf, X509Certificate2 root, X509Certificate2 intermediate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.Add(intermediate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"));
        return chain.Build(leaf);
    }

    /// <summary>
    /// A client that resolves every name to 127.0.0.1 and trusts only <paramref name="root"/> (the system
    /// store when null), checking the host name as TLS does.
    /// </summary>
    private static SocketsHttpHandler Handler(X509Certificate2? root)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        if (root is not null)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, sent, errors) =>
                {
                    if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
                    {
                        return false;
                    }
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(root);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    if (sent is not null)
                    {
                        chain.ChainPolicy.ExtraStore.AddRange(sent.ChainPolicy.ExtraStore);
                    }
                    return chain.Build(new X509Certificate2(certificate));
                },
            };
        }
        return handler;
    }
}
