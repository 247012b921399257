using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Keyhub.Core.Authorization;
using Keyhub.Core.Identity;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Security;

/// <summary>
/// Authentication bypass attempts (security.md): every token that is missing, unsigned, forged, stale,
/// meant for someone else or held by a principal that no longer may act gets the exact 401 challenge —
/// on reads and on writes — and nothing is stored. Forged tokens are signed with the server's real key
/// wherever the defect is a claim, so the claim check itself is what refuses them.
/// </summary>
[Collection(SecurityServerCollection.Name)]
public sealed class BearerTokenValidationTests(SecurityServer fixture)
{
    private static readonly string[] Defects =
    [
        "no-token", "empty-bearer", "not-a-jwt", "basic-scheme", "alg-none", "alg-none-with-real-signature",
        "hs256-keyed-with-public-key", "wrong-signature", "tampered-payload", "expired", "not-yet-valid",
        "no-expiry", "wrong-audience", "wrong-issuer", "wrong-tenant", "unknown-principal",
        "object-id-of-another-principal", "other-deployment",
    ];

    public static TheoryData<string, string> DefectsByMethod()
    {
        var data = new TheoryData<string, string>();
        foreach (var defect in Defects)
        {
            data.Add(defect, "GET");
            data.Add(defect, "PUT");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(DefectsByMethod))]
    public async Task Invalid_bearer_token_gets_the_exact_challenge_and_stores_nothing(string defect, string method)
    {
        var server = fixture.Server;
        var name = $"forged-{defect}-{method.ToLowerInvariant()}";
        var authorization = await AuthorizationForAsync(defect);

        using var http = server.HttpClient();
        using var request = SecretRequest(method, name, authorization);
        using var response = await http.SendAsync(request);

        await ErrorAssertions.AssertChallengeAsync(response, server);
        using var admin = await fixture.AdminHttpClientAsync();
        using var check = await admin.GetAsync(new Uri($"/secrets/{name}?api-version=7.6", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, check.StatusCode);
    }

    [Fact]
    public async Task Token_forged_with_the_real_key_and_valid_claims_is_accepted()
    {
        // The control for the theory above: the forging code builds tokens the server accepts, so each
        // refusal there is caused by the one defect introduced.
        var admin = await fixture.AdminPrincipalAsync();
        using var key = await SigningKeyAsync();
        var token = Jwt.SignEs256(Header(key.KeyId), Claims(admin.ObjectId, admin.ClientId), key.Key);

        using var http = fixture.Server.HttpClient();
        using var response = await http.SendAsync(SecretRequest("GET", "forged-control", "Bearer " + token));

        await ErrorAssertions.AssertAzureErrorAsync(response, HttpStatusCode.NotFound, "SecretNotFound");
    }

    [Fact]
    public async Task Issued_token_carries_the_issuer_audience_and_tenant_the_data_plane_expects()
    {
        var server = fixture.Server;
        var token = await fixture.AdminTokenAsync();
        var header = Jwt.Header(token);
        var payload = Jwt.Payload(token);
        var admin = await fixture.AdminPrincipalAsync();

        Assert.Equal("ES256", (string?)header["alg"]);
        Assert.Equal($"https://localhost:{server.Port}/{server.Credentials.TenantId}/v2.0", (string?)payload["iss"]);
        Assert.Equal("https://localhost", (string?)payload["aud"]);
        Assert.Equal(server.Credentials.TenantId, (string?)payload["tid"]);
        Assert.Equal(admin.ObjectId, (string?)payload["oid"]);
        Assert.Equal(server.Credentials.ClientId, (string?)payload["appid"]);
        Assert.Equal(3600, (long)payload["exp"]! - (long)payload["nbf"]!);
    }

    [Fact]
    public async Task Live_token_of_a_principal_disabled_afterwards_is_refused()
    {
        var server = fixture.Server;
        var (clientId, secret, _) = await server.AddPrincipalAsync("disabled-later", BuiltInRoles.SecretsOfficer);
        var token = await TokenRequests.AccessTokenAsync(server, clientId, secret);
        using var http = server.HttpClient();
        using (var before = await http.SendAsync(SecretRequest("GET", "disabled-probe", "Bearer " + token)))
        {
            await ErrorAssertions.AssertAzureErrorAsync(before, HttpStatusCode.NotFound, "SecretNotFound");
        }

        await server.Server.Runtime.Principals.SetEnabledAsync(clientId, false, CancellationToken.None);

        foreach (var method in new[] { "GET", "PUT" })
        {
            using var response = await http.SendAsync(SecretRequest(method, "disabled-probe", "Bearer " + token));
            await ErrorAssertions.AssertChallengeAsync(response, server);
        }
        using var admin = await fixture.AdminHttpClientAsync();
        using var check = await admin.GetAsync(new Uri("/secrets/disabled-probe?api-version=7.6", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, check.StatusCode);
    }

    [Theory]
    [InlineData("PUT", "/secrets/bodiless")]
    [InlineData("PATCH", "/secrets/bodiless")]
    [InlineData("DELETE", "/secrets/bodiless")]
    [InlineData("POST", "/secrets/bodiless/backup")]
    [InlineData("POST", "/secrets/restore")]
    [InlineData("POST", "/deletedsecrets/bodiless/recover")]
    [InlineData("DELETE", "/deletedsecrets/bodiless")]
    [InlineData("GET", "/secrets")]
    [InlineData("GET", "/deletedsecrets")]
    public async Task Bodiless_request_without_a_token_gets_the_challenge_not_a_400(string method, string path)
    {
        // The SDK's first request carries no token and no body (wire.md §1.1): only a 401 with the
        // challenge lets it continue.
        using var http = fixture.Server.HttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path + "?api-version=2026-04-01", UriKind.Relative));
        if (method is "PUT" or "PATCH" or "POST")
        {
            request.Content = new ByteArrayContent([]);
        }
        using var response = await http.SendAsync(request);

        await ErrorAssertions.AssertChallengeAsync(response, fixture.Server);
        Assert.Contains("AKV10000", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_without_a_token_is_challenged_before_its_content_type_is_looked_at()
    {
        using var http = fixture.Server.HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri("/secrets/plain-text?api-version=7.6", UriKind.Relative))
        {
            Content = new StringContent("not json at all", Encoding.UTF8, "text/plain"),
        };
        using var response = await http.SendAsync(request);

        await ErrorAssertions.AssertChallengeAsync(response, fixture.Server);
    }

    private static HttpRequestMessage SecretRequest(string method, string name, string? authorization)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri($"/secrets/{name}?api-version=7.6", UriKind.Relative));
        if (method == "PUT")
        {
            request.Content = new StringContent("""{"value":"must-never-be-stored"}""", Encoding.UTF8, "application/json");
        }
        if (authorization is not null)
        {
            Assert.True(request.Headers.TryAddWithoutValidation("Authorization", authorization));
        }
        return request;
    }

    private async Task<string?> AuthorizationForAsync(string defect)
    {
        var server = fixture.Server;
        var admin = await fixture.AdminPrincipalAsync();
        var now = DateTimeOffset.UtcNow;
        using var key = await SigningKeyAsync();
        string Real(JsonObject payload) => "Bearer " + Jwt.SignEs256(Header(key.KeyId), payload, key.Key);
        JsonObject Valid() => Claims(admin.ObjectId, admin.ClientId);
        JsonObject With(string claim, JsonNode? value)
        {
            var claims = Valid();
            if (value is null)
            {
                claims.Remove(claim);
            }
            else
            {
                claims[claim] = value;
            }
            return claims;
        }

        switch (defect)
        {
            case "no-token":
                return null;
            case "empty-bearer":
                return "Bearer ";
            case "not-a-jwt":
                return "Bearer not-a-jwt";
            case "basic-scheme":
                return "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{server.Credentials.ClientId}:{server.Credentials.ClientSecret}"));
            case "alg-none":
            {
                var header = Header(key.KeyId);
                header["alg"] = "none";
                return "Bearer " + Jwt.Unsigned(header, Valid());
            }
            case "alg-none-with-real-signature":
            {
                // Signed correctly, but the header claims no algorithm: the server must not take the header's word.
                var genuine = Jwt.SignEs256(Header(key.KeyId), Valid(), key.Key).Split('.');
                var header = Header(key.KeyId);
                header["alg"] = "none";
                return $"Bearer {Jwt.Encode(header)}.{genuine[1]}.{genuine[2]}";
            }
            case "hs256-keyed-with-public-key":
            {
                // Algorithm confusion: an HMAC keyed with the (public) verification key.
                var header = Header(key.KeyId);
                header["alg"] = "HS256";
                return "Bearer " + Jwt.SignHs256(header, Valid(), key.Key.ExportSubjectPublicKeyInfo());
            }
            case "wrong-signature":
            {
                using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                return "Bearer " + Jwt.SignEs256(Header(key.KeyId), Valid(), attacker);
            }
            case "tampered-payload":
            {
                var genuine = (await fixture.AdminTokenAsync()).Split('.');
                var payload = Jwt.Payload(string.Join('.', genuine));
                payload["exp"] = now.AddDays(30).ToUnixTimeSeconds();
                return $"Bearer {genuine[0]}.{Jwt.Encode(payload)}.{genuine[2]}";
            }
            case "expired":
            {
                var claims = With("exp", now.AddMinutes(-5).ToUnixTimeSeconds());
                claims["nbf"] = now.AddHours(-2).ToUnixTimeSeconds();
                claims["iat"] = now.AddHours(-2).ToUnixTimeSeconds();
                return Real(claims);
            }
            case "not-yet-valid":
            {
                var claims = With("nbf", now.AddMinutes(10).ToUnixTimeSeconds());
                claims["iat"] = now.AddMinutes(10).ToUnixTimeSeconds();
                claims["exp"] = now.AddHours(2).ToUnixTimeSeconds();
                return Real(claims);
            }
            case "no-expiry":
                return Real(With("exp", null));
            case "wrong-audience":
                return Real(With("aud", "https://vault.azure.net"));
            case "wrong-issuer":
                return Real(With("iss", $"https://login.microsoftonline.com/{server.Credentials.TenantId}/v2.0"));
            case "wrong-tenant":
                return Real(With("tid", Guid.NewGuid().ToString()));
            case "unknown-principal":
            {
                var stranger = Guid.NewGuid().ToString();
                return Real(Claims(stranger, Guid.NewGuid().ToString()));
            }
            case "object-id-of-another-principal":
            {
                var (clientId, _, _) = await server.AddPrincipalAsync("no-role-" + Guid.NewGuid().ToString("N"));
                return Real(Claims(admin.ObjectId, clientId));
            }
            case "other-deployment":
            {
                // Same tenant id and issuer origin, different signing key: only the signature can tell.
                var other = fixture.OtherDeployment;
                var token = await TokenRequests.AccessTokenAsync(other, other.Credentials.ClientId, other.Credentials.ClientSecret);
                Assert.Equal(server.Credentials.TenantId, (string?)Jwt.Payload(token)["tid"]);
                Assert.Equal(Valid()["iss"]!.GetValue<string>(), (string?)Jwt.Payload(token)["iss"]);
                return "Bearer " + token;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(defect), defect, null);
        }
    }

    private Task<SigningKey> SigningKeyAsync()
    {
        var runtime = fixture.Server.Server.Runtime;
        return new SigningKeyStore(runtime.Store, runtime.Seal, TimeProvider.System).EnsureAsync(CancellationToken.None);
    }

    private static JsonObject Header(string keyId) => new() { ["alg"] = "ES256", ["typ"] = "JWT", ["kid"] = keyId };

    private JsonObject Claims(string objectId, string clientId)
    {
        var server = fixture.Server;
        var now = DateTimeOffset.UtcNow;
        return new JsonObject
        {
            ["aud"] = "https://localhost",
            ["iss"] = $"https://localhost:{server.Port}/{server.Credentials.TenantId}/v2.0",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
            ["sub"] = objectId,
            ["oid"] = objectId,
            ["appid"] = clientId,
            ["azp"] = clientId,
            ["tid"] = server.Credentials.TenantId,
            ["ver"] = "2.0",
        };
    }
}
