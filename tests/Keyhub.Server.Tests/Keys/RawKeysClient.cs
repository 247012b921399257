using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyhub.Server.Tests.Infrastructure;
using Keyhub.Server.Tests.Security;

namespace Keyhub.Server.Tests.Keys;

/// <summary>
/// Raw HTTPS requests to the keys data plane (wire.md §4.3), with a bearer token from Keyhub's own token
/// endpoint: request bodies and answers exactly as the wire carries them, binary fields in base64url.
/// A token is fetched once, when connecting; after moving a fake clock, connect again.
/// </summary>
internal sealed class RawKeysClient : IDisposable
{
    public const string ApiVersion = "7.6";

    private readonly HttpClient _http;

    private RawKeysClient(HttpClient http) => _http = http;

    public static async Task<RawKeysClient> ConnectAsync(KeyhubTestServer server, string? clientId = null, string? clientSecret = null)
    {
        var token = await TokenRequests.AccessTokenAsync(server, clientId ?? server.Credentials.ClientId, clientSecret ?? server.Credentials.ClientSecret);
        var http = server.HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new RawKeysClient(http);
    }

    /// <summary>Sends <paramref name="body"/> (if any) as JSON to <paramref name="path"/> with the api-version added.</summary>
    public async Task<KeyResponse> SendAsync(HttpMethod method, string path, JsonNode? body = null)
    {
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        using var request = new HttpRequestMessage(method, new Uri($"{path}{separator}api-version={ApiVersion}", UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new KeyResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, request.RequestUri);
    }

    public Task<KeyResponse> CreateAsync(string name, JsonObject body) => SendAsync(HttpMethod.Post, $"/keys/{name}/create", body);

    /// <summary>Creates a key and returns its KeyBundle; <paramref name="extra"/> adds or overrides request fields.</summary>
    public async Task<JsonElement> CreateOkAsync(string name, string kty, int? size = null, string? crv = null, JsonObject? extra = null)
    {
        var body = new JsonObject { ["kty"] = kty };
        if (size is not null)
        {
            body["key_size"] = size;
        }
        if (crv is not null)
        {
            body["crv"] = crv;
        }
        foreach (var (field, value) in extra ?? [])
        {
            body[field] = value?.DeepClone();
        }
        return (await CreateAsync(name, body)).Ok();
    }

    /// <summary>Imports <paramref name="jwk"/> (with its private parts) and returns the KeyBundle.</summary>
    public async Task<JsonElement> ImportOkAsync(string name, JsonObject jwk, JsonObject? extra = null)
    {
        var body = new JsonObject { ["key"] = jwk };
        foreach (var (field, value) in extra ?? [])
        {
            body[field] = value?.DeepClone();
        }
        return (await SendAsync(HttpMethod.Put, $"/keys/{name}", body)).Ok();
    }

    public Task<KeyResponse> GetAsync(string name, string? version = null) =>
        SendAsync(HttpMethod.Get, version is null ? $"/keys/{name}" : $"/keys/{name}/{version}");

    public Task<KeyResponse> UpdateAsync(string name, string version, JsonObject body) =>
        SendAsync(HttpMethod.Patch, $"/keys/{name}/{version}", body);

    /// <summary>
    /// POST <c>/keys/{name}/{version}/{operation}</c>, or <c>/keys/{name}/{operation}</c> when
    /// <paramref name="version"/> is null (an empty string gives the <c>//{operation}</c> form). The path
    /// segment is the wire's lower-case one (<c>wrapkey</c>), as the SDKs send it.
    /// </summary>
    public Task<KeyResponse> OperateAsync(string name, string? version, string operation, JsonObject body)
    {
        var segment = operation.ToLowerInvariant();
        return SendAsync(HttpMethod.Post, version is null ? $"/keys/{name}/{segment}" : $"/keys/{name}/{version}/{segment}", body);
    }

    /// <summary>Runs an operation that must succeed and returns its <c>value</c> (and the whole answer).</summary>
    public async Task<(byte[] Value, JsonElement Answer)> OperateOkAsync(string name, string? version, string operation, JsonObject body)
    {
        var answer = (await OperateAsync(name, version, operation, body)).Ok();
        return (Bytes(answer, "value"), answer);
    }

    /// <summary>Every version's list item, following nextLink.</summary>
    public async Task<List<JsonElement>> VersionsAsync(string name) => await AllPagesAsync($"/keys/{name}/versions");

    public async Task<List<JsonElement>> AllPagesAsync(string path)
    {
        var items = new List<JsonElement>();
        var page = (await SendAsync(HttpMethod.Get, path)).Ok();
        while (true)
        {
            items.AddRange(page.GetProperty("value").EnumerateArray());
            if (!page.TryGetProperty("nextLink", out var next) || next.ValueKind == JsonValueKind.Null)
            {
                return items;
            }
            var link = new Uri(next.GetString()!);
            using var response = await _http.GetAsync(link);
            var text = await response.Content.ReadAsStringAsync();
            page = new KeyResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, link).Ok();
        }
    }

    /// <summary>
    /// Everything stored about a key that the API shows: the versions list and each version's bundle
    /// (attributes include <c>updated</c>), in one string; equal snapshots mean nothing changed.
    /// </summary>
    public async Task<string> SnapshotAsync(string name)
    {
        var builder = new StringBuilder();
        var versions = await VersionsAsync(name);
        foreach (var item in versions.OrderBy(v => v.GetProperty("kid").GetString(), StringComparer.Ordinal))
        {
            builder.AppendLine(item.GetRawText());
            var version = item.GetProperty("kid").GetString()!.Split('/')[^1];
            builder.AppendLine((await GetAsync(name, version)).Ok().GetRawText());
        }
        builder.AppendLine((await GetAsync(name)).Ok().GetRawText());
        return builder.ToString();
    }

    public void Dispose() => _http.Dispose();

    /// <summary>An operation body: <c>alg</c>, <c>value</c> and the optional AES fields, base64url.</summary>
    public static JsonObject Body(string alg, byte[] value, byte[]? iv = null, byte[]? aad = null, byte[]? tag = null)
    {
        var body = new JsonObject { ["alg"] = alg, ["value"] = B64(value) };
        if (iv is not null)
        {
            body["iv"] = B64(iv);
        }
        if (aad is not null)
        {
            body["aad"] = B64(aad);
        }
        if (tag is not null)
        {
            body["tag"] = B64(tag);
        }
        return body;
    }

    /// <summary>A verify body: <c>alg</c>, <c>digest</c> and the signature as <c>value</c>.</summary>
    public static JsonObject VerifyBody(string alg, byte[] digest, byte[] signature) =>
        new() { ["alg"] = alg, ["digest"] = B64(digest), ["value"] = B64(signature) };

    public static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public static byte[] Bytes(JsonElement element, string property) =>
        Base64Url.DecodeFromChars(element.GetProperty(property).GetString()!);

    /// <summary>The version segment of a KeyBundle's <c>key.kid</c>.</summary>
    public static string Version(JsonElement bundle) => bundle.GetProperty("key").GetProperty("kid").GetString()!.Split('/')[^1];

    /// <summary>The name segment of a KeyBundle's <c>key.kid</c>.</summary>
    public static string Name(JsonElement bundle) => bundle.GetProperty("key").GetProperty("kid").GetString()!.Split('/')[^2];

    /// <summary>A name no other test (or earlier run against the same server) uses.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
