using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyhub.Core.Identity;

/// <summary>
/// Issues and validates ES256 JWT access tokens. Validation is strict: exactly three parts, header
/// <c>alg</c> must be ES256 and <c>kid</c> ours, then signature, issuer, audience, tenant, expiry and
/// not-before — and the principal must still exist and be enabled.
/// </summary>
public sealed class TokenService(IReadOnlyList<SigningKey> signingKeys, PrincipalStore principals, TimeProvider time, TokenOptions options)
{
    public const string Algorithm = "ES256";
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    // Bounds the memory held by validated tokens; past it the cache starts over.
    private const int MaxCachedTokens = 10_000;

    // The first key signs; all of them verify. Replaced as a whole when the keys rotate.
    private volatile IReadOnlyList<SigningKey> _keys = signingKeys;

    // Tokens whose signature and claims have been checked, so a client reusing its token (as the SDKs do
    // for an hour) costs a dictionary lookup instead of an ECDSA verification and a principal read. An
    // entry counts only under the key set and principal stamp it was checked with: a key rotation or any
    // change to a principal (disable, delete) makes every entry check again.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ValidatedToken> _validated = new(StringComparer.Ordinal);

    public TokenService(SigningKey signingKey, PrincipalStore principals, TimeProvider time, TokenOptions options)
        : this([signingKey], principals, time, options)
    {
    }

    public TokenOptions Options => options;

    /// <summary>Publishes a new key set (current first) after a rotation; returns the set it replaced.</summary>
    public IReadOnlyList<SigningKey> ReplaceKeys(IReadOnlyList<SigningKey> keys) => Interlocked.Exchange(ref _keys, keys);

    public (string Token, DateTimeOffset Expires) Issue(ServicePrincipal principal, string audience)
    {
        var now = time.GetUtcNow();
        var expires = now + options.Lifetime;
        var signingKey = _keys[0];
        var header = new JsonObject { ["alg"] = Algorithm, ["typ"] = "JWT", ["kid"] = signingKey.KeyId };
        var payload = new JsonObject
        {
            ["aud"] = audience,
            ["iss"] = options.Issuer,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["sub"] = principal.ObjectId,
            ["oid"] = principal.ObjectId,
            ["appid"] = principal.ClientId,
            ["azp"] = principal.ClientId,
            ["tid"] = options.TenantId,
            ["idtyp"] = "app",
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["ver"] = "2.0",
        };
        var signingInput = $"{Encode(header)}.{Encode(payload)}";
        var signature = signingKey.Key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return ($"{signingInput}.{Base64Url.EncodeToString(signature)}", expires);
    }

    /// <summary>Returns the validated token, or null for any defect (the caller answers 401 without detail).</summary>
    public async Task<AccessToken?> ValidateAsync(string token, string expectedAudience, CancellationToken cancellationToken)
    {
        var keys = _keys;
        var principalStamp = principals.ChangeStamp;
        if (_validated.TryGetValue(token, out var cached)
            && ReferenceEquals(cached.Keys, keys)
            && cached.PrincipalStamp == principalStamp
            && cached.Token.Audience == expectedAudience)
        {
            return cached.Token.Expires.ToUnixTimeSeconds() + (long)ClockSkew.TotalSeconds > time.GetUtcNow().ToUnixTimeSeconds()
                ? cached.Token
                : null;
        }
        var validated = await ValidateUncachedAsync(token, keys, expectedAudience, cancellationToken);
        if (validated is not null)
        {
            if (_validated.Count >= MaxCachedTokens)
            {
                _validated.Clear();
            }
            _validated[token] = new ValidatedToken(validated, keys, principalStamp);
        }
        return validated;
    }

    private async Task<AccessToken?> ValidateUncachedAsync(string token, IReadOnlyList<SigningKey> keys, string expectedAudience, CancellationToken cancellationToken)
    {
        var parsed = ParseAndVerify(token, keys);
        if (parsed is null)
        {
            return null;
        }
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var skew = (long)ClockSkew.TotalSeconds;
        if (Str(parsed, "iss") != options.Issuer
            || Str(parsed, "aud") != expectedAudience
            || Str(parsed, "tid") != options.TenantId
            || Num(parsed, "exp") is not { } exp || exp + skew <= now
            || Num(parsed, "nbf") is not { } nbf || nbf - skew > now
            || Str(parsed, "oid") is not { } oid
            || Str(parsed, "appid") is not { } appid)
        {
            return null;
        }
        var principal = await principals.GetByClientIdAsync(appid, cancellationToken);
        if (principal is null || !principal.Enabled || principal.ObjectId != oid)
        {
            return null;
        }
        return new AccessToken(oid, appid, expectedAudience, DateTimeOffset.FromUnixTimeSeconds(exp));
    }

    /// <summary>The public signing keys as JWKs for the JWKS document: the current one and those still accepted.</summary>
    public IEnumerable<JsonObject> PublicJwks() => _keys.Select(key =>
    {
        var p = key.Key.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["kty"] = "EC",
            ["use"] = "sig",
            ["alg"] = Algorithm,
            ["kid"] = key.KeyId,
            ["crv"] = "P-256",
            ["x"] = Base64Url.EncodeToString(p.Q.X),
            ["y"] = Base64Url.EncodeToString(p.Q.Y),
        };
    });

    private sealed record ValidatedToken(AccessToken Token, IReadOnlyList<SigningKey> Keys, long PrincipalStamp);

    private static JsonObject? ParseAndVerify(string token, IReadOnlyList<SigningKey> keys)
    {
        if (token.Length > 8192)
        {
            return null;
        }
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[2].Length == 0)
        {
            return null;
        }
        try
        {
            var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0])) as JsonObject;
            var signingKey = header is null || Str(header, "alg") != Algorithm ? null : keys.FirstOrDefault(k => k.KeyId == Str(header, "kid"));
            if (signingKey is null)
            {
                return null;
            }
            var signature = Base64Url.DecodeFromChars(parts[2]);
            var signingInput = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
            if (!signingKey.Key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return null;
            }
            return JsonNode.Parse(Base64Url.DecodeFromChars(parts[1])) as JsonObject;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException or CryptographicException)
        {
            return null;
        }
    }

    private static string? Str(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static long? Num(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;

    private static string Encode(JsonObject o) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(o.ToJsonString()));
}

/// <summary>Token settings. <see cref="Issuer"/> is <c>{authority origin}/{tenant}/v2.0</c>.</summary>
public sealed record TokenOptions
{
    public required string TenantId { get; init; }
    public required string AuthorityOrigin { get; init; }
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(1);
    public string Issuer => $"{AuthorityOrigin}/{TenantId}/v2.0";
    public string Authority => $"{AuthorityOrigin}/{TenantId}";
}
