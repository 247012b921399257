using System.Net;
using System.Text.Json;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Security;

/// <summary>Raw OAuth2 client-credentials requests to a Keyhub token endpoint, as MSAL sends them.</summary>
internal static class TokenRequests
{
    public const string VaultScope = "https://localhost/.default";

    public static Task<HttpResponseMessage> PostAsync(
        KeyhubTestServer server,
        string clientId,
        string clientSecret,
        string scope = VaultScope,
        string? tenant = null,
        string grantType = "client_credentials") =>
        PostAsync(server.HttpClient(), tenant ?? server.Credentials.TenantId, new Dictionary<string, string>
        {
            ["grant_type"] = grantType,
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["scope"] = scope,
        });

    public static async Task<HttpResponseMessage> PostAsync(HttpClient http, string tenant, IReadOnlyDictionary<string, string> form)
    {
        using (http)
        {
            using var content = new FormUrlEncodedContent(form);
            var response = await http.PostAsync(new Uri($"/{tenant}/oauth2/v2.0/token", UriKind.Relative), content);
            await response.Content.LoadIntoBufferAsync();
            return response;
        }
    }

    /// <summary>A real access token from the server's own token endpoint.</summary>
    public static async Task<string> AccessTokenAsync(KeyhubTestServer server, string clientId, string clientSecret)
    {
        using var response = await PostAsync(server, clientId, clientSecret);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>Asserts the OAuth error body (<c>error</c>, <c>error_description</c>) and returns it.</summary>
    public static async Task<string> AssertOAuthErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        Assert.Equal(error, document.RootElement.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(document.RootElement.GetProperty("error_description").GetString()));
        Assert.False(response.Headers.Contains("Set-Cookie"));
        return body;
    }
}
