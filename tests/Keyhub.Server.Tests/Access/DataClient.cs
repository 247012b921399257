using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Keyhub.Server.Tests.Infrastructure;
using Keyhub.Server.Tests.Keys;
using Keyhub.Server.Tests.Security;

namespace Keyhub.Server.Tests.Access;

/// <summary>
/// One principal's view of one vault's data plane: the official <see cref="SecretClient"/> for secrets, and
/// raw HTTPS with a bearer token (fetched once, when connecting) for keys, at any vault URL — the hub on the
/// main port or a spoke on its own port. Answers of both come back as <see cref="KeyResponse"/>.
/// </summary>
internal sealed class DataClient : IDisposable
{
    private readonly HttpClient _http;

    private DataClient(Uri vault, SecretClient secrets, HttpClient http)
    {
        Vault = vault;
        Secrets = secrets;
        _http = http;
    }

    public Uri Vault { get; }

    public SecretClient Secrets { get; }

    public static async Task<DataClient> ConnectAsync(KeyhubTestServer server, Uri vault, string clientId, string clientSecret)
    {
        var secrets = new SecretClient(vault, server.Credential(clientId, clientSecret), server.SecretOptions());
        var token = await TokenRequests.AccessTokenAsync(server, clientId, clientSecret);
        var http = server.HttpClient();
        http.BaseAddress = vault;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new DataClient(vault, secrets, http);
    }

    public static Task<DataClient> ConnectAsync(KeyhubTestServer server, Uri vault, TestPrincipal principal) =>
        ConnectAsync(server, vault, principal.ClientId, principal.ClientSecret);

    /// <summary>A raw data-plane request (api-version added) with this principal's token.</summary>
    public async Task<KeyResponse> SendAsync(HttpMethod method, string path, JsonNode? body = null)
    {
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        using var request = new HttpRequestMessage(method, new Uri($"{path}{separator}api-version={RawKeysClient.ApiVersion}", UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new KeyResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, new Uri(Vault, request.RequestUri!));
    }

    /// <summary>Runs an SDK call and returns its answer, success or failure, as the wire carried it.</summary>
    public static async Task<KeyResponse> CallAsync(Func<Task<Response>> call)
    {
        try
        {
            return From(await call());
        }
        catch (RequestFailedException error) when (error.GetRawResponse() is { } raw)
        {
            return From(raw);
        }
    }

    /// <summary>The first page of a list, as one request with <c>maxresults=1</c>.</summary>
    public static async Task<Response> FirstPageAsync<T>(AsyncPageable<T> pageable)
        where T : notnull
    {
        await foreach (var page in pageable.AsPages(pageSizeHint: 1))
        {
            return page.GetRawResponse();
        }
        throw new InvalidOperationException("The list answered no page.");
    }

    private static KeyResponse From(Response response) => new(
        (HttpStatusCode)response.Status,
        response.Headers.ContentType?.Split(';')[0].Trim(),
        response.Content?.ToString() ?? "",
        null);

    public void Dispose() => _http.Dispose();
}
