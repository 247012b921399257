using System.Net;

namespace Keyhub.Server.Tests.Security;

/// <summary>TLS only: the vault port serves nothing over plain HTTP, not even health, and no token ever travels in the clear.</summary>
[Collection(SecurityServerCollection.Name)]
public sealed class TransportTests(SecurityServer fixture)
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/secrets/x?api-version=7.6")]
    public async Task Plain_http_is_not_served(string path)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        HttpResponseMessage? response = null;
        try
        {
            response = await http.GetAsync(new Uri($"http://localhost:{fixture.Server.Port}{path}"));
        }
        catch (HttpRequestException)
        {
        }
        using (response)
        {
            Assert.True(response is null || response.StatusCode == HttpStatusCode.BadRequest, $"Plain HTTP answered {(int?)response?.StatusCode}.");
            Assert.False(response?.Headers.Contains("WWW-Authenticate") ?? false, "A challenge over plain HTTP invites a token in the clear.");
        }
    }
}
