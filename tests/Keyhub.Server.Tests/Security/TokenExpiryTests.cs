using System.Net;
using System.Net.Http.Headers;
using Keyhub.Server.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Keyhub.Server.Tests.Security;

/// <summary>A genuine token stops working once the server's clock passes its expiry (plus the one-minute skew).</summary>
public sealed class TokenExpiryTests : IAsyncLifetime
{
    // Starts at the real time: the dev TLS certificate is issued on this clock and the client checks it on the real one.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private KeyhubTestServer? _server;

    private KeyhubTestServer Server => _server!;

    public async Task InitializeAsync() => _server = await KeyhubTestServer.StartAsync(_time);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Genuine_token_is_refused_once_the_clock_passes_its_expiry()
    {
        var token = await TokenRequests.AccessTokenAsync(Server, Server.Credentials.ClientId, Server.Credentials.ClientSecret);
        using var http = Server.HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var probe = new Uri("/secrets/expiry-probe?api-version=7.6", UriKind.Relative);

        _time.Advance(TimeSpan.FromMinutes(59));
        using (var stillValid = await http.GetAsync(probe))
        {
            await ErrorAssertions.AssertAzureErrorAsync(stillValid, HttpStatusCode.NotFound, "SecretNotFound");
        }

        _time.Advance(TimeSpan.FromMinutes(3));
        using var expired = await http.GetAsync(probe);
        await ErrorAssertions.AssertChallengeAsync(expired, Server);
        Assert.Contains("AKV10022", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A fresh token from the same credentials works again on the moved clock.
        var fresh = await TokenRequests.AccessTokenAsync(Server, Server.Credentials.ClientId, Server.Credentials.ClientSecret);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fresh);
        using var renewed = await http.GetAsync(probe);
        Assert.Equal(HttpStatusCode.NotFound, renewed.StatusCode);
    }
}
