using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Keyhub.Server.Tests.Security;

/// <summary>
/// design.md §4: a request whose <c>Host</c> is not on the vault's allow-list is refused with 400 and
/// Azure's error body — before authentication, on every path — and the foreign host name never comes
/// back in any header or body. Names on the list are served, and identifiers use them.
/// </summary>
[Collection(SecurityServerCollection.Name)]
public sealed class HostAllowListTests(SecurityServer fixture)
{
    private const string Canary = "host-canary";

    public static TheoryData<string> ForeignHosts => new()
    {
        "evil.example:{port}",
        "evil.example",
        "localhost.evil.example:{port}",
        "evil-localhost:{port}",
        "hub.localhost:{port}",
        "127.0.0.2:{port}",
        "localhost:{other}",
        "vault.azure.net:{port}",
    };

    [Theory]
    [MemberData(nameof(ForeignHosts))]
    public async Task Host_not_on_the_list_is_refused_everywhere_and_never_reflected(string hostTemplate)
    {
        var server = fixture.Server;
        var host = hostTemplate.Replace("{port}", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{other}", (server.Port == 65535 ? 1 : server.Port + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var hostName = host.Split(':')[0];
        var token = await fixture.AdminTokenAsync();
        using var admin = await fixture.AdminHttpClientAsync();
        await admin.PutAsync(new Uri($"/secrets/{Canary}?api-version=7.6", UriKind.Relative), Json("""{"value":"host-canary-value"}"""));
        var before = await admin.GetStringAsync(new Uri($"/secrets/{Canary}?api-version=7.6", UriKind.Relative));
        var tenant = server.Credentials.TenantId;

        var requests = new (HttpMethod Method, string Path, HttpContent? Body, bool Authenticated)[]
        {
            (HttpMethod.Get, $"/secrets/{Canary}?api-version=7.6", null, true),
            (HttpMethod.Get, $"/secrets/{Canary}?api-version=7.6", null, false),
            (HttpMethod.Get, "/secrets?api-version=7.6&maxresults=1", null, true),
            (HttpMethod.Put, $"/secrets/{Canary}?api-version=7.6", Json("""{"value":"replaced-through-a-foreign-host"}"""), true),
            (HttpMethod.Put, $"/secrets/{Canary}?api-version=7.6", new ByteArrayContent([]), false),
            (HttpMethod.Delete, $"/secrets/{Canary}?api-version=7.6", null, true),
            (HttpMethod.Post, $"/{tenant}/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = server.Credentials.ClientId,
                ["client_secret"] = server.Credentials.ClientSecret,
                ["scope"] = TokenRequests.VaultScope,
            }), false),
            (HttpMethod.Get, $"/{tenant}/v2.0/.well-known/openid-configuration", null, false),
            (HttpMethod.Get, $"/{tenant}/discovery/v2.0/keys", null, false),
            (HttpMethod.Get, "/no/such/path", null, false),
        };
        using var http = ForeignHostClient();
        foreach (var (method, path, body, authenticated) in requests)
        {
            using var request = new HttpRequestMessage(method, new Uri($"https://localhost:{server.Port}{path}")) { Content = body };
            request.Headers.Host = host;
            if (authenticated)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            using var response = await http.SendAsync(request);

            var error = await ErrorAssertions.AssertAzureErrorAsync(response, HttpStatusCode.BadRequest, "BadParameter");
            Assert.DoesNotContain(hostName, error, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("access_token", error, StringComparison.Ordinal);
            foreach (var header in response.Headers.Concat(response.Content.Headers))
            {
                Assert.DoesNotContain(header.Value, v => v.Contains(hostName, StringComparison.OrdinalIgnoreCase));
            }
            Assert.False(response.Headers.Contains("WWW-Authenticate"), $"{method} {path}: a refused host must not get a challenge.");
        }

        Assert.Equal(before, await admin.GetStringAsync(new Uri($"/secrets/{Canary}?api-version=7.6", UriKind.Relative)));
    }

    [Theory]
    [InlineData("127.0.0.1:{port}", "https://127.0.0.1:{port}")]
    [InlineData("[::1]:{port}", "https://[::1]:{port}")]
    [InlineData("localhost:{port}", "https://localhost:{port}")]
    public async Task Host_on_the_list_is_served_and_named_in_identifiers(string hostTemplate, string originTemplate)
    {
        var server = fixture.Server;
        var port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var admin = await fixture.AdminHttpClientAsync();
        await admin.PutAsync(new Uri($"/secrets/{Canary}?api-version=7.6", UriKind.Relative), Json("""{"value":"host-canary-value"}"""));

        using var http = ForeignHostClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"https://localhost:{server.Port}/secrets/{Canary}?api-version=7.6"));
        request.Headers.Host = hostTemplate.Replace("{port}", port, StringComparison.Ordinal);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await fixture.AdminTokenAsync());
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith(originTemplate.Replace("{port}", port, StringComparison.Ordinal) + "/secrets/" + Canary + "/", body.RootElement.GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>
    /// Trusts the dev CA but not the name check: with a Host header set, .NET uses it as the TLS server
    /// name, and the test wants the server's answer, not the client's refusal.
    /// </summary>
    private HttpClient ForeignHostClient()
    {
        var ca = fixture.Server.CaCertificate;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                },
            },
        };
        return new HttpClient(handler);
    }
}
