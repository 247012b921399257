using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Identity;
using Keyhub.Core.Authorization;

namespace Keyhub.Server.Tests.Security;

/// <summary>
/// The client-credentials token endpoint refuses every wrong credential, scope and tenant with the OAuth
/// error body, and never echoes the secret it was given.
/// </summary>
[Collection(SecurityServerCollection.Name)]
public sealed class TokenEndpointTests(SecurityServer fixture)
{
    [Fact]
    public async Task Wrong_client_secret_is_refused_with_invalid_client_and_never_echoed()
    {
        var server = fixture.Server;
        var wrong = "wrong-secret-" + Guid.NewGuid().ToString("N");
        using var response = await TokenRequests.PostAsync(server, server.Credentials.ClientId, wrong);

        var body = await TokenRequests.AssertOAuthErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.DoesNotContain(wrong, body, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Credentials.ClientSecret, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Right_secret_of_another_client_is_refused()
    {
        var server = fixture.Server;
        var (clientId, _, _) = await server.AddPrincipalAsync("secret-swap");
        using var response = await TokenRequests.PostAsync(server, clientId, server.Credentials.ClientSecret);

        var body = await TokenRequests.AssertOAuthErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.DoesNotContain(server.Credentials.ClientSecret, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unknown-guid")]
    [InlineData("not-a-guid")]
    [InlineData("empty")]
    public async Task Unknown_client_is_refused_with_invalid_client(string kind)
    {
        var server = fixture.Server;
        var clientId = kind switch
        {
            "unknown-guid" => Guid.NewGuid().ToString(),
            "not-a-guid" => "../" + server.Credentials.ClientId,
            _ => "",
        };
        var secret = "probe-secret-" + Guid.NewGuid().ToString("N");
        using var response = await TokenRequests.PostAsync(server, clientId, secret);

        var body = await TokenRequests.AssertOAuthErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://vault.azure.net/.default")]
    [InlineData("https://localhost")]
    [InlineData("https://localhost/")]
    [InlineData("https://localhost:1/.default")]
    [InlineData("https://evil.example/.default")]
    [InlineData("https://LOCALHOST/.default")]
    [InlineData("")]
    public async Task Unknown_scope_is_refused_with_invalid_scope(string scope)
    {
        var server = fixture.Server;
        using var response = await TokenRequests.PostAsync(server, server.Credentials.ClientId, server.Credentials.ClientSecret, scope);

        var body = await TokenRequests.AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_scope");
        Assert.DoesNotContain(server.Credentials.ClientSecret, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("random-guid")]
    [InlineData("common")]
    [InlineData("organizations")]
    public async Task Token_request_for_another_tenant_is_refused(string kind)
    {
        var server = fixture.Server;
        var tenant = kind == "random-guid" ? Guid.NewGuid().ToString() : kind;
        using var response = await TokenRequests.PostAsync(server, server.Credentials.ClientId, server.Credentials.ClientSecret, tenant: tenant);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(server.Credentials.ClientSecret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("access_token", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_client_credentials_grant_is_accepted()
    {
        var server = fixture.Server;
        using var response = await TokenRequests.PostAsync(server, server.Credentials.ClientId, server.Credentials.ClientSecret, grantType: "password");

        var body = await TokenRequests.AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "unsupported_grant_type");
        Assert.DoesNotContain(server.Credentials.ClientSecret, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabled_principal_cannot_get_a_token()
    {
        var server = fixture.Server;
        var (clientId, secret, _) = await server.AddPrincipalAsync("disabled-before-token", BuiltInRoles.SecretsOfficer);
        await server.Server.Runtime.Principals.SetEnabledAsync(clientId, false, CancellationToken.None);

        using var response = await TokenRequests.PostAsync(server, clientId, secret);
        var body = await TokenRequests.AssertOAuthErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.DoesNotContain(secret, body, StringComparison.Ordinal);

        var client = server.SecretClient(clientId, secret);
        await Assert.ThrowsAsync<AuthenticationFailedException>(() => client.GetSecretAsync("anything"));
    }

    [Fact]
    public async Task Issued_token_response_may_not_be_cached()
    {
        var server = fixture.Server;
        using var response = await TokenRequests.PostAsync(server, server.Credentials.ClientId, server.Credentials.ClientSecret);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "The token response must carry Cache-Control: no-store.");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Bearer", body.RootElement.GetProperty("token_type").GetString());
        Assert.InRange(body.RootElement.GetProperty("expires_in").GetInt64(), 3500, 3600);
    }

    [Fact]
    public async Task Token_endpoint_wants_a_form_body()
    {
        var server = fixture.Server;
        using var http = server.HttpClient();
        var json = JsonSerializer.Serialize(new
        {
            grant_type = "client_credentials",
            client_id = server.Credentials.ClientId,
            client_secret = server.Credentials.ClientSecret,
            scope = TokenRequests.VaultScope,
        });
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri($"/{server.Credentials.TenantId}/oauth2/v2.0/token", UriKind.Relative), content);

        var body = await TokenRequests.AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.DoesNotContain(server.Credentials.ClientSecret, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jwks_publishes_only_the_public_key_and_it_verifies_issued_tokens()
    {
        var server = fixture.Server;
        using var http = server.HttpClient();
        var jwks = await http.GetStringAsync(new Uri($"/{server.Credentials.TenantId}/discovery/v2.0/keys", UriKind.Relative));
        using var document = JsonDocument.Parse(jwks);
        var jwk = Assert.Single(document.RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal("EC", jwk.GetProperty("kty").GetString());
        Assert.Equal("P-256", jwk.GetProperty("crv").GetString());
        Assert.False(jwk.TryGetProperty("d", out _), "The JWKS must not contain the private key.");

        var token = await fixture.AdminTokenAsync();
        Assert.Equal(jwk.GetProperty("kid").GetString(), (string?)Jwt.Header(token)["kid"]);
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString()),
                Y = Base64Url.DecodeFromChars(jwk.GetProperty("y").GetString()),
            },
        });
        var parts = token.Split('.');
        Assert.True(key.VerifyData(
            Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"),
            Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public async Task Discovery_and_jwks_of_another_tenant_are_not_found()
    {
        var server = fixture.Server;
        using var http = server.HttpClient();
        var other = Guid.NewGuid();
        using var discovery = await http.GetAsync(new Uri($"/{other}/v2.0/.well-known/openid-configuration", UriKind.Relative));
        using var keys = await http.GetAsync(new Uri($"/{other}/discovery/v2.0/keys", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, discovery.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, keys.StatusCode);
    }
}
