using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Keyhub.Commands;

/// <summary>
/// HTTPS client of a Keyhub: the management API at the authority host, and vaults at their URLs.
/// Tokens are obtained the way the Azure SDKs do it: the first request's 401 challenge names the
/// resource, then the client-credentials grant gets a token for it.
/// </summary>
internal sealed partial class KeyhubApiClient(Profile profile) : IDisposable
{
    private readonly HttpClient _http = new(CreateHandler(profile.CaCertificate)) { Timeout = TimeSpan.FromSeconds(60) };
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public Profile Profile => profile;

    public Task<JsonNode?> ManagementAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken) =>
        SendAsync(method, $"{profile.AuthorityHost.TrimEnd('/')}/keyhub/v1/{path}", body, cancellationToken);

    /// <summary>A public document of the management API (the workload CA's chain), fetched without a token.</summary>
    public async Task<string> PublicTextAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"{profile.AuthorityHost.TrimEnd('/')}/keyhub/v1/{path}", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            await ReadAsync(response, cancellationToken);
        }
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>An unauthenticated call of the management API (seal status and unseal: a sealed server issues no tokens).</summary>
    public async Task<JsonNode?> PublicJsonAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var response = await SendOnceAsync(method, $"{profile.AuthorityHost.TrimEnd('/')}/keyhub/v1/{path}", body, null, cancellationToken);
        return await ReadAsync(response, cancellationToken);
    }

    public Task<JsonNode?> VaultAsync(string vault, HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        var url = profile.Vaults.TryGetValue(vault, out var known) ? known
            : vault.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? vault
            : throw new CommandLineException($"the profile lists no vault '{vault}' (known: {string.Join(", ", profile.Vaults.Keys)}); pass its URL instead");
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        return SendAsync(method, $"{url.TrimEnd('/')}/{path}{separator}api-version=7.6", body, cancellationToken);
    }

    private async Task<JsonNode?> SendAsync(HttpMethod method, string url, JsonObject? body, CancellationToken cancellationToken)
    {
        var origin = new Uri(url).GetLeftPart(UriPartial.Authority);
        _tokens.TryGetValue(origin, out var token);
        using var response = await SendOnceAsync(method, url, body, token, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized && ChallengeResource(response) is { } resource)
        {
            token = await GetTokenAsync(resource, cancellationToken);
            _tokens[origin] = token;
            using var retried = await SendOnceAsync(method, url, body, token, cancellationToken);
            return await ReadAsync(retried, cancellationToken);
        }
        return await ReadAsync(response, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string url, JsonObject? body, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        return await _http.SendAsync(request, cancellationToken);
    }

    private async Task<string> GetTokenAsync(string resource, CancellationToken cancellationToken)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = profile.ClientId,
            ["client_secret"] = profile.ClientSecret,
            ["scope"] = resource + "/.default",
        });
        using var response = await _http.PostAsync($"{profile.AuthorityHost.TrimEnd('/')}/{profile.TenantId}/oauth2/v2.0/token", form, cancellationToken);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return json?["access_token"]?.GetValue<string>()
            ?? throw new CommandLineException($"the token endpoint refused the profile's credentials: {json?["error_description"] ?? response.StatusCode.ToString()}");
    }

    private static async Task<JsonNode?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonNode? json = null;
        try
        {
            json = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
        }
        if (response.IsSuccessStatusCode)
        {
            return json;
        }
        var message = json?["detail"] ?? json?["error"]?["message"] ?? (JsonNode?)response.ReasonPhrase;
        var code = json?["code"] ?? json?["error"]?["code"];
        throw new CommandLineException($"{(int)response.StatusCode} {code}: {message}");
    }

    private static string? ChallengeResource(HttpResponseMessage response) =>
        response.Headers.WwwAuthenticate.Select(h => ResourceParameter().Match(h.Parameter ?? "")).FirstOrDefault(m => m.Success)?.Groups[1].Value;

    private static SocketsHttpHandler CreateHandler(string? caPath)
    {
        var handler = new SocketsHttpHandler();
        if (caPath is null)
        {
            return handler;
        }
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caPath));
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            // Trust the profile's CA for this client only; the machine's trust store is left alone.
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                using var leaf = new X509Certificate2(certificate);
                return chain.Build(leaf);
            },
        };
        return handler;
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("resource=\"([^\"]+)\"", RegexOptions.CultureInvariant)]
    private static partial Regex ResourceParameter();
}
