using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Keyhub.Core.Identity;
using Keyhub.Core.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Keyhub.Core.Tests.Identity;

public sealed class TokenServiceTests : IAsyncLifetime
{
    private const string Audience = "https://vault.azure.net";
    private static readonly TokenOptions Options = new()
    {
        TenantId = "7f3c2a10-5b7e-4c1d-9a55-0b8e4e1f2a3b",
        AuthorityOrigin = "https://localhost:8443",
    };
    private static CancellationToken Ct => CancellationToken.None;
    private TestDeployment _deployment = null!;
    private PrincipalStore _principals = null!;
    private SigningKey _signingKey = null!;
    private TokenService _tokens = null!;
    private ServicePrincipal _principal = null!;

    public async Task InitializeAsync()
    {
        _deployment = await TestDeployment.StartAsync();
        _principals = new PrincipalStore(_deployment.Store, _deployment.Seal, _deployment.Time);
        _signingKey = await new SigningKeyStore(_deployment.Store, _deployment.Seal, _deployment.Time).EnsureAsync(Ct);
        _tokens = new TokenService(_signingKey, _principals, _deployment.Time, Options);
        (_principal, _) = await _principals.AddAsync("billing-app", Ct);
    }

    public Task DisposeAsync()
    {
        _signingKey.Dispose();
        _deployment.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Issued_token_validates_to_the_principal_and_audience()
    {
        var (token, expires) = _tokens.Issue(_principal, Audience);

        var validated = await _tokens.ValidateAsync(token, Audience, Ct);

        Assert.NotNull(validated);
        Assert.Equal(_principal.ObjectId, validated.ObjectId);
        Assert.Equal(_principal.ClientId, validated.ClientId);
        Assert.Equal(Audience, validated.Audience);
        Assert.Equal(TestDeployment.Start + Options.Lifetime, expires);
        Assert.Equal(expires, validated.Expires);
    }

    [Fact]
    public void Issued_token_is_an_ES256_JWT_with_our_kid_and_the_Azure_claims()
    {
        var (token, _) = _tokens.Issue(_principal, Audience);
        var parts = token.Split('.');

        var header = Decode(parts[0]);
        var payload = Decode(parts[1]);

        Assert.Equal("ES256", (string?)header["alg"]);
        Assert.Equal(_signingKey.KeyId, (string?)header["kid"]);
        Assert.Equal(Audience, (string?)payload["aud"]);
        Assert.Equal($"https://localhost:8443/{Options.TenantId}/v2.0", (string?)payload["iss"]);
        Assert.Equal(Options.TenantId, (string?)payload["tid"]);
        Assert.Equal(_principal.ObjectId, (string?)payload["oid"]);
        Assert.Equal(_principal.ClientId, (string?)payload["appid"]);
        Assert.Equal(3600, (long)payload["exp"]! - (long)payload["iat"]!);
        Assert.Equal(64, Base64Url.DecodeFromChars(parts[2]).Length);
    }

    [Fact]
    public void Public_JWK_verifies_issued_tokens()
    {
        var (token, _) = _tokens.Issue(_principal, Audience);
        var jwk = Assert.Single(_tokens.PublicJwks());
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars((string)jwk["x"]!), Y = Base64Url.DecodeFromChars((string)jwk["y"]!) },
        });
        var parts = token.Split('.');

        Assert.True(key.VerifyData(
            Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"),
            Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.Equal(_signingKey.KeyId, (string?)jwk["kid"]);
        Assert.Null(jwk["d"]);
    }

    [Fact]
    public async Task Control_token_forged_with_our_key_and_nothing_changed_validates()
    {
        var token = Forge(_ => { }, _ => { });

        Assert.NotNull(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Unsigned_token_with_alg_none_is_refused()
    {
        var (token, _) = _tokens.Issue(_principal, Audience);
        var parts = token.Split('.');
        var header = Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT", ["kid"] = _signingKey.KeyId });

        Assert.Null(await _tokens.ValidateAsync($"{header}.{parts[1]}.", Audience, Ct));
        Assert.Null(await _tokens.ValidateAsync($"{header}.{parts[1]}.{parts[2]}", Audience, Ct));
        Assert.Null(await _tokens.ValidateAsync($"{parts[0]}.{parts[1]}.", Audience, Ct));
    }

    [Fact]
    public async Task Token_with_alg_HS256_keyed_with_the_public_key_is_refused()
    {
        var publicKey = _signingKey.Key.ExportSubjectPublicKeyInfo();
        var token = Forge(
            header => header["alg"] = "HS256",
            _ => { },
            input => HMACSHA256.HashData(publicKey, input));

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Theory]
    [InlineData("ES384")]
    [InlineData("es256")]
    [InlineData("RS256")]
    [InlineData("")]
    public async Task Token_with_any_other_alg_is_refused_even_when_signed_by_our_key(string alg)
    {
        var token = Forge(header => header["alg"] = alg, _ => { });

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Token_without_alg_is_refused()
    {
        var token = Forge(header => header.Remove("alg"), _ => { });

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Token_without_kid_is_refused_even_when_signed_by_our_key()
    {
        var token = Forge(header => header.Remove("kid"), _ => { });

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Token_with_another_kid_is_refused_even_when_signed_by_our_key()
    {
        Assert.Null(await _tokens.ValidateAsync(Forge(h => h["kid"] = Guid.NewGuid().ToString("N"), _ => { }), Audience, Ct));
        Assert.Null(await _tokens.ValidateAsync(Forge(h => h["kid"] = _signingKey.KeyId.ToUpperInvariant(), _ => { }), Audience, Ct));
        Assert.Null(await _tokens.ValidateAsync(Forge(h => h["kid"] = 1, _ => { }), Audience, Ct));
    }

    [Fact]
    public async Task Token_signed_by_another_key_under_our_kid_is_refused()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = Forge(_ => { }, _ => { }, input => other.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Token_with_a_DER_encoded_signature_is_refused()
    {
        var token = Forge(_ => { }, _ => { }, input => _signingKey.Key.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Token_from_another_deployment_is_refused()
    {
        using var other = await TestDeployment.StartAsync();
        using var otherKey = await new SigningKeyStore(other.Store, other.Seal, other.Time).EnsureAsync(Ct);
        var otherTokens = new TokenService(otherKey, _principals, _deployment.Time, Options);

        var (token, _) = otherTokens.Issue(_principal, Audience);

        Assert.NotNull(await otherTokens.ValidateAsync(token, Audience, Ct));
        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Token_with_a_changed_payload_is_refused()
    {
        var (token, _) = _tokens.Issue(_principal, Audience);
        var parts = token.Split('.');
        var payload = Decode(parts[1]);
        payload["exp"] = (long)payload["exp"]! + 86_400;

        Assert.Null(await _tokens.ValidateAsync($"{parts[0]}.{Encode(payload)}.{parts[2]}", Audience, Ct));
    }

    [Fact]
    public async Task Token_with_a_flipped_signature_bit_is_refused()
    {
        var (token, _) = _tokens.Issue(_principal, Audience);
        var parts = token.Split('.');
        var signature = Base64Url.DecodeFromChars(parts[2]);
        signature[10] ^= 1;

        Assert.Null(await _tokens.ValidateAsync($"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(signature)}", Audience, Ct));
    }

    [Fact]
    public async Task Token_for_another_audience_is_refused()
    {
        var (token, _) = _tokens.Issue(_principal, "https://management.azure.com");

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Theory]
    [InlineData("https://evil.example/7f3c2a10-5b7e-4c1d-9a55-0b8e4e1f2a3b/v2.0")]
    [InlineData("https://localhost:8443/7f3c2a10-5b7e-4c1d-9a55-0b8e4e1f2a3b")]
    [InlineData("HTTPS://LOCALHOST:8443/7f3c2a10-5b7e-4c1d-9a55-0b8e4e1f2a3b/v2.0")]
    public async Task Token_from_another_issuer_is_refused(string issuer)
    {
        var token = Forge(_ => { }, payload => payload["iss"] = issuer);

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Token_for_another_tenant_is_refused()
    {
        var token = Forge(_ => { }, payload => payload["tid"] = Guid.NewGuid().ToString());

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Theory]
    [InlineData("aud")]
    [InlineData("iss")]
    [InlineData("tid")]
    [InlineData("exp")]
    [InlineData("nbf")]
    [InlineData("oid")]
    [InlineData("appid")]
    public async Task Token_missing_a_required_claim_is_refused(string claim)
    {
        var token = Forge(_ => { }, payload => payload.Remove(claim));

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Theory]
    [InlineData("exp")]
    [InlineData("nbf")]
    public async Task Token_with_a_time_claim_as_a_string_is_refused(string claim)
    {
        var token = Forge(_ => { }, payload => payload[claim] = ((long)payload[claim]!).ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Token_is_valid_until_its_lifetime_plus_one_minute_of_skew_and_refused_after()
    {
        var (token, _) = _tokens.Issue(_principal, Audience);

        _deployment.Time.Advance(Options.Lifetime + TimeSpan.FromSeconds(59));
        Assert.NotNull(await _tokens.ValidateAsync(token, Audience, Ct));

        _deployment.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Token_not_yet_valid_by_more_than_the_skew_is_refused()
    {
        var future = new FakeTimeProvider(TestDeployment.Start + TimeSpan.FromMinutes(2));
        var (token, _) = new TokenService(_signingKey, _principals, future, Options).Issue(_principal, Audience);

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Token_not_yet_valid_by_less_than_the_skew_is_accepted()
    {
        var future = new FakeTimeProvider(TestDeployment.Start + TimeSpan.FromSeconds(30));
        var (token, _) = new TokenService(_signingKey, _principals, future, Options).Issue(_principal, Audience);

        Assert.NotNull(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Live_token_of_a_principal_disabled_after_issue_is_refused()
    {
        var (token, _) = _tokens.Issue(_principal, Audience);

        await _principals.SetEnabledAsync(_principal.ClientId, false, Ct);

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Token_already_validated_is_refused_once_its_principal_is_disabled()
    {
        var (token, _) = _tokens.Issue(_principal, Audience);
        Assert.NotNull(await _tokens.ValidateAsync(token, Audience, Ct));

        await _principals.SetEnabledAsync(_principal.ClientId, false, Ct);

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
        await _principals.SetEnabledAsync(_principal.ClientId, true, Ct);
        Assert.NotNull(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Token_already_validated_is_refused_once_its_signing_key_is_no_longer_accepted()
    {
        var (token, _) = _tokens.Issue(_principal, Audience);
        Assert.NotNull(await _tokens.ValidateAsync(token, Audience, Ct));

        using var other = new SigningKey("other", ECDsa.Create(ECCurve.NamedCurves.nistP256));
        _tokens.ReplaceKeys([other]);

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Token_already_validated_for_one_audience_is_refused_for_another()
    {
        var (token, _) = _tokens.Issue(_principal, Audience);
        Assert.NotNull(await _tokens.ValidateAsync(token, Audience, Ct));

        Assert.Null(await _tokens.ValidateAsync(token, "https://localhost:9443", Ct));
        Assert.NotNull(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Token_whose_oid_is_not_the_principals_object_id_is_refused()
    {
        var (other, _) = await _principals.AddAsync("other-app", Ct);
        var token = Forge(_ => { }, payload => payload["oid"] = other.ObjectId);

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Token_of_an_unknown_client_is_refused()
    {
        var token = Forge(_ => { }, payload => payload["appid"] = Guid.NewGuid().ToString());

        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    public static TheoryData<string> Garbage =>
    [
        "",
        ".",
        "..",
        "...",
        "a.b",
        "a.b.c",
        "a.b.c.d",
        "e30.e30.e30",
        "W10.e30.AAAA",
        "bnVsbA.e30.AAAA",
        "eyJhbGciOiJFUzI1NiJ9.e30",
        "\0.\0.\0",
        "é.é.é",
        "eyJhbGciOiJFUzI1NiIsImFsZyI6Im5vbmUifQ.e30.AAAA",
        new string('a', 10 * 1024),
        string.Join('.', new string('a', 5 * 1024), new string('b', 5 * 1024), "c"),
        new string('.', 10 * 1024),
        new string('[', 4000) + "." + "e30.AAAA",
    ];

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task Garbage_is_refused_without_an_exception(string token)
    {
        Assert.Null(await _tokens.ValidateAsync(token, Audience, Ct));
    }

    [Fact]
    public async Task Header_nested_beyond_the_JSON_depth_limit_is_refused_without_an_exception()
    {
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(new string('[', 100) + new string(']', 100)));

        Assert.Null(await _tokens.ValidateAsync($"{header}.e30.AAAA", Audience, Ct));
    }

    /// <summary>A token as <see cref="TokenService.Issue"/> would make it, changed, then signed (by our key unless told).</summary>
    private string Forge(Action<JsonObject> changeHeader, Action<JsonObject> changePayload, Func<byte[], byte[]>? sign = null)
    {
        var (token, _) = _tokens.Issue(_principal, Audience);
        var parts = token.Split('.');
        var header = Decode(parts[0]);
        var payload = Decode(parts[1]);
        changeHeader(header);
        changePayload(payload);
        var input = $"{Encode(header)}.{Encode(payload)}";
        sign ??= bytes => _signingKey.Key.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{input}.{Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(input)))}";
    }

    private static JsonObject Decode(string part) => (JsonObject)JsonNode.Parse(Base64Url.DecodeFromChars(part))!;

    private static string Encode(JsonObject o) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(o.ToJsonString()));
}
