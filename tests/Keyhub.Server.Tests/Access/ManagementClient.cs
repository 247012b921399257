using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Keyhub.Server.Tests.Infrastructure;
using Keyhub.Server.Tests.Security;

namespace Keyhub.Server.Tests.Access;

/// <summary>
/// Raw HTTPS calls to Keyhub's management API (<c>/keyhub/v1</c>) with a bearer token from the server's own
/// token endpoint, fetched once when connecting (so later calls reuse an already issued token).
/// </summary>
internal sealed class ManagementClient : IDisposable
{
    private readonly HttpClient _http;

    private ManagementClient(HttpClient http) => _http = http;

    public static async Task<ManagementClient> ConnectAsync(KeyhubTestServer server, string clientId, string clientSecret) =>
        WithToken(server, await TokenRequests.AccessTokenAsync(server, clientId, clientSecret));

    public static Task<ManagementClient> ConnectAsync(KeyhubTestServer server, TestPrincipal principal) =>
        ConnectAsync(server, principal.ClientId, principal.ClientSecret);

    /// <summary>A client sending <paramref name="token"/> as is (none when null).</summary>
    public static ManagementClient WithToken(KeyhubTestServer server, string? token)
    {
        var http = server.HttpClient();
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return new ManagementClient(http);
    }

    /// <summary>Sends <paramref name="body"/> (if any) as JSON to <c>/keyhub/v1{path}</c>.</summary>
    public async Task<ManagementResponse> SendAsync(HttpMethod method, string path, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri("/keyhub/v1" + path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        return await SendAsync(request);
    }

    /// <summary>Sends a request built by the caller (for malformed bodies).</summary>
    public async Task<ManagementResponse> SendAsync(HttpRequestMessage request)
    {
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var headers = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        return new ManagementResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, headers, $"{request.Method} {request.RequestUri}");
    }

    public Task<ManagementResponse> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<ManagementResponse> PostAsync(string path, JsonNode? body = null) => SendAsync(HttpMethod.Post, path, body ?? new JsonObject());

    public Task<ManagementResponse> PatchAsync(string path, JsonNode body) => SendAsync(HttpMethod.Patch, path, body);

    public Task<ManagementResponse> PutAsync(string path) => SendAsync(HttpMethod.Put, path);

    public Task<ManagementResponse> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    public void Dispose() => _http.Dispose();
}
