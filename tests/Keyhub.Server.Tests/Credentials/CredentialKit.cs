using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Credentials;

/// <summary>
/// Helpers for the credential-type tests: management calls as the dev admin, self-signed client
/// certificates, hand-made client assertions and raw token requests.
/// </summary>
internal static class CredentialKit
{
    public const string VaultScope = "https://localhost/.default";

    /// <summary>The token endpoint URL the assertion's <c>aud</c> must name.</summary>
    public static string TokenEndpoint(KeyhubTestServer server) =>
        $"{server.Credentials.AuthorityHost.TrimEnd('/')}/{server.Credentials.TenantId}/oauth2/v2.0/token";

    public static async Task<string> AdminTokenAsync(KeyhubTestServer server) =>
        (await server.Credential().GetTokenAsync(new TokenRequestContext([VaultScope]), CancellationToken.None)).Token;

    /// <summary>A management API call as the dev admin; returns status and parsed body.</summary>
    public static async Task<(HttpStatusCode Status, JsonNode? Body)> ManageAsync(KeyhubTestServer server, HttpMethod method, string path, object? body = null)
    {
        using var http = server.HttpClient();
        using var request = new HttpRequestMessage(method, new Uri("/keyhub/v1" + path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await AdminTokenAsync(server));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public static async Task RegisterCertificateAsync(KeyhubTestServer server, string clientId, X509Certificate2 certificate)
    {
        var (status, body) = await ManageAsync(server, HttpMethod.Post, $"/principals/{clientId}/certificates", new { certificate = certificate.ExportCertificatePem() });
        Assert.True(status == HttpStatusCode.Created, $"register certificate: {(int)status} {body?.ToJsonString()}");
        Assert.Equal(Thumbprint(certificate), body!["thumbprintSha256"]!.GetValue<string>());
    }

    public static async Task<string> AddWorkloadCredentialAsync(KeyhubTestServer server, string clientId)
    {
        var (status, body) = await ManageAsync(server, HttpMethod.Post, $"/principals/{clientId}/workloadcredentials", new { });
        Assert.True(status == HttpStatusCode.Created, $"add workload credential: {(int)status} {body?.ToJsonString()}");
        var header = body!["identityHeader"]!.GetValue<string>();
        Assert.StartsWith($"kh1.{clientId}.", header, StringComparison.Ordinal);
        return header;
    }

    /// <summary>A self-signed RSA-2048 certificate with its private key, valid from an hour ago for two days.</summary>
    public static X509Certificate2 NewCertificate(string subject = "CN=keyhub-test-client")
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(2));
    }

    public static string Thumbprint(X509Certificate2 certificate) => Base64Url.EncodeToString(SHA256.HashData(certificate.RawData));

    /// <summary>
    /// A client assertion as MSAL.NET builds it (PS256, <c>x5t#S256</c>, nbf/exp as strings), with knobs to break it.
    /// </summary>
    public static string Assertion(
        X509Certificate2 signer,
        string audience,
        string issuer,
        string? subject = null,
        string? jti = null,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? expires = null,
        X509Certificate2? namedCertificate = null,
        string alg = "PS256")
    {
        var nbf = notBefore ?? DateTimeOffset.UtcNow.AddSeconds(-10);
        var exp = expires ?? DateTimeOffset.UtcNow.AddMinutes(10);
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT", ["x5t#S256"] = Thumbprint(namedCertificate ?? signer) };
        var payload = new JsonObject
        {
            ["aud"] = audience,
            ["iss"] = issuer,
            ["sub"] = subject ?? issuer,
            ["jti"] = jti ?? Guid.NewGuid().ToString(),
            ["nbf"] = nbf.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["exp"] = exp.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var signingInput = $"{B64(header)}.{B64(payload)}";
        using var rsa = signer.GetRSAPrivateKey() ?? throw new InvalidOperationException("no private key");
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, alg == "RS256" ? RSASignaturePadding.Pkcs1 : RSASignaturePadding.Pss);
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    private static string B64(JsonObject o) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(o.ToJsonString()));

    /// <summary>POSTs a client_credentials request with a client assertion; returns status and parsed body.</summary>
    public static Task<(HttpStatusCode Status, JsonObject Body, HttpResponseMessage Response)> AssertionTokenAsync(KeyhubTestServer server, string clientId, string assertion) =>
        TokenAsync(server, new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["scope"] = VaultScope,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = assertion,
        });

    public static Task<(HttpStatusCode Status, JsonObject Body, HttpResponseMessage Response)> SecretTokenAsync(KeyhubTestServer server, string clientId, string secret) =>
        TokenAsync(server, new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = VaultScope,
        });

    public static async Task<(HttpStatusCode Status, JsonObject Body, HttpResponseMessage Response)> TokenAsync(KeyhubTestServer server, IReadOnlyDictionary<string, string> form)
    {
        using var http = server.HttpClient();
        using var content = new FormUrlEncodedContent(form);
        var response = await http.PostAsync(new Uri($"/{server.Credentials.TenantId}/oauth2/v2.0/token", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, (JsonNode.Parse(text) as JsonObject) ?? [], response);
    }

    /// <summary>GET /msi/token as the App Service SDK path sends it.</summary>
    public static async Task<(HttpStatusCode Status, JsonObject Body)> ManagedIdentityTokenAsync(KeyhubTestServer server, string? identityHeader, string resource = "https://localhost")
    {
        using var http = server.HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/msi/token?api-version=2019-08-01&resource={Uri.EscapeDataString(resource)}", UriKind.Relative));
        if (identityHeader is not null)
        {
            request.Headers.Add("X-IDENTITY-HEADER", identityHeader);
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, (JsonNode.Parse(text) as JsonObject) ?? []);
    }

    public static void AssertInvalidClient(HttpStatusCode status, JsonObject body, HttpStatusCode expected = HttpStatusCode.Unauthorized)
    {
        Assert.True(status == expected, $"expected {(int)expected}, got {(int)status} {body.ToJsonString()}");
        Assert.Equal("invalid_client", body["error"]?.GetValue<string>());
    }

    /// <summary>Stores a secret in the hub as the dev admin and returns its value.</summary>
    public static async Task<string> SeedSecretAsync(KeyhubTestServer server, string name)
    {
        var value = "value-" + Guid.NewGuid().ToString("N");
        await server.SecretClient().SetSecretAsync(name, value);
        return value;
    }

    public static SecretClient SecretClient(KeyhubTestServer server, TokenCredential credential) => new(server.VaultUri, credential, server.SecretOptions());

    /// <summary>The <c>kid</c> of a JWT's header.</summary>
    public static string KidOf(string jwt) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[0]))!["kid"]!.GetValue<string>();

    public static async Task<string[]> JwksKidsAsync(KeyhubTestServer server)
    {
        using var http = server.HttpClient();
        var json = await http.GetStringAsync(new Uri($"/{server.Credentials.TenantId}/discovery/v2.0/keys", UriKind.Relative));
        return JsonNode.Parse(json)!["keys"]!.AsArray().Select(k => k!["kid"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Status of GET /secrets/{name} with a raw bearer token.</summary>
    public static async Task<HttpStatusCode> ReadWithTokenAsync(KeyhubTestServer server, string token, string secretName)
    {
        using var http = server.HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.GetAsync(new Uri($"/secrets/{secretName}?api-version=7.6", UriKind.Relative));
        return response.StatusCode;
    }
}
