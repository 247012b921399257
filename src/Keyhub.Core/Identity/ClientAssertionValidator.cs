using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Identity;

/// <summary>
/// Client assertions (RFC 7523) for ClientCertificateCredential: a PS256/RS256 JWT naming a registered
/// certificate by thumbprint, issued by and about the client, for this token endpoint, within its
/// lifetime, and never seen before (its <c>jti</c> is remembered until it expires, in storage, so every
/// node refuses a replay).
/// </summary>
public sealed class ClientAssertionValidator(PrincipalStore principals, IRecordStore store, TimeProvider time)
{
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private const string JtiKind = "assertion-jti";
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(1);

    /// <summary>The principal the assertion proves, or null for any defect (the caller answers invalid_client).</summary>
    public async Task<ServicePrincipal?> ValidateAsync(string assertion, string? clientId, string expectedAudience, CancellationToken cancellationToken)
    {
        if (assertion.Length > 16 * 1024)
        {
            return null;
        }
        var parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }
        JsonObject? header, payload;
        byte[] signature;
        try
        {
            header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0])) as JsonObject;
            payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1])) as JsonObject;
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
        if (header is null || payload is null)
        {
            return null;
        }
        var padding = Str(header, "alg") switch
        {
            "PS256" => RSASignaturePadding.Pss,
            "RS256" => RSASignaturePadding.Pkcs1,
            _ => null,
        };
        var issuer = Str(payload, "iss");
        clientId ??= issuer;
        if (padding is null || clientId is null || issuer != clientId || Str(payload, "sub") != clientId
            || !HasAudience(payload, expectedAudience)
            || Str(payload, "jti") is not { Length: > 0 and <= 256 } jti
            || Time(payload, "exp") is not { } exp)
        {
            return null;
        }
        var now = time.GetUtcNow();
        var nbf = Time(payload, "nbf") ?? now;
        if (exp + ClockSkew <= now || nbf - ClockSkew > now || exp - nbf > MaxLifetime)
        {
            return null;
        }
        var principal = await principals.GetByClientIdAsync(clientId, cancellationToken);
        if (principal is null || !principal.Enabled)
        {
            return null;
        }
        var certificate = FindCertificate(principal, header);
        if (certificate is null || now < certificate.NotBefore || now > certificate.NotAfter)
        {
            return null;
        }
        using (var x509 = X509CertificateLoader.LoadCertificate(certificate.Certificate))
        using (var rsa = x509.GetRSAPublicKey())
        {
            if (rsa is null || !rsa.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), signature, HashAlgorithmName.SHA256, padding))
            {
                return null;
            }
        }
        return await RememberAsync(principal.ClientId, jti, exp, cancellationToken) ? principal : null;
    }

    /// <summary>Forgets remembered assertion ids whose assertions have expired.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var due = await store.ListDueForPurgeAsync(JtiKind, time.GetUtcNow(), 500, cancellationToken);
        if (due.Count > 0)
        {
            await store.WriteAsync(due.Select(k => (RecordWrite)new RecordWrite.Remove(k)).ToList(), cancellationToken);
        }
        return due.Count;
    }

    /// <summary>Records the jti; false if it was already used (a replay).</summary>
    private async Task<bool> RememberAsync(string clientId, string jti, DateTimeOffset exp, CancellationToken cancellationToken)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{clientId}|{jti}")));
        var now = time.GetUtcNow();
        try
        {
            await store.WriteAsync(
                [new RecordWrite.Insert(new StoredRecord
                {
                    Key = new RecordKey(SystemVault.Name, JtiKind, id, ""),
                    Created = now,
                    Updated = now,
                    PurgeAt = exp + ClockSkew,
                    Payload = [],
                })],
                cancellationToken);
            return true;
        }
        catch (RecordConflictException)
        {
            return false;
        }
    }

    private static ClientCertificateRecord? FindCertificate(ServicePrincipal principal, JsonObject header)
    {
        if (Str(header, "x5t#S256") is { } s256)
        {
            return principal.Certificates.FirstOrDefault(c => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(c.ThumbprintSha256), Encoding.ASCII.GetBytes(s256)));
        }
        if (Str(header, "x5t") is { } sha1)
        {
            // x5t is SHA-1 by definition (RFC 7515 §4.1.7); it only names a registered certificate.
#pragma warning disable CA5350
            return principal.Certificates.FirstOrDefault(c => Base64Url.EncodeToString(SHA1.HashData(c.Certificate)) == sha1);
#pragma warning restore CA5350
        }
        return null;
    }

    private static bool HasAudience(JsonObject payload, string expected) => payload["aud"] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => Same(s, expected),
        JsonArray a => a.Any(x => x is JsonValue v && v.TryGetValue<string>(out var s) && Same(s, expected)),
        _ => false,
    };

    private static bool Same(string audience, string expected) => string.Equals(audience.TrimEnd('/'), expected, StringComparison.OrdinalIgnoreCase);

    private static string? Str(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Unix seconds as a number or, as MSAL.NET sends them, as a string.</summary>
    private static DateTimeOffset? Time(JsonObject o, string name)
    {
        if (o[name] is not JsonValue v)
        {
            return null;
        }
        if (v.TryGetValue<long>(out var n) || (v.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out n)))
        {
            return n is > 0 and < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(n) : null;
        }
        return null;
    }
}
