using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Keyhub.Server.Tests.Keys.RawKeysClient;

namespace Keyhub.Server.Tests.Keys;

/// <summary>
/// JWKs built from .NET's own key objects (for import), and .NET key objects built from nothing but the
/// public JWK Keyhub returns (for independent verification and encryption).
/// </summary>
internal static class TestJwk
{
    public static JsonObject Rsa(RSAParameters p) => new()
    {
        ["kty"] = "RSA",
        ["n"] = B64(p.Modulus!),
        ["e"] = B64(p.Exponent!),
        ["d"] = B64(p.D!),
        ["p"] = B64(p.P!),
        ["q"] = B64(p.Q!),
        ["dp"] = B64(p.DP!),
        ["dq"] = B64(p.DQ!),
        ["qi"] = B64(p.InverseQ!),
    };

    public static JsonObject Ec(ECParameters p, string crv) => new()
    {
        ["kty"] = "EC",
        ["crv"] = crv,
        ["x"] = B64(p.Q.X!),
        ["y"] = B64(p.Q.Y!),
        ["d"] = B64(p.D!),
    };

    public static JsonObject Oct(byte[] k) => new() { ["kty"] = "oct", ["k"] = B64(k) };

    /// <summary>An RSA public key from the bundle's <c>key.n</c> and <c>key.e</c> only.</summary>
    public static RSA PublicRsa(JsonElement bundle)
    {
        var key = bundle.GetProperty("key");
        var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = Bytes(key, "n"), Exponent = Bytes(key, "e") });
        return rsa;
    }

    /// <summary>An ECDSA public key from the bundle's <c>key.crv</c>, <c>key.x</c> and <c>key.y</c> only.</summary>
    public static ECDsa PublicEcdsa(JsonElement bundle)
    {
        var key = bundle.GetProperty("key");
        return ECDsa.Create(new ECParameters
        {
            Curve = Curve(key.GetProperty("crv").GetString()!),
            Q = new ECPoint { X = Bytes(key, "x"), Y = Bytes(key, "y") },
        });
    }

    public static ECCurve Curve(string crv) => crv switch
    {
        "P-256" => ECCurve.NamedCurves.nistP256,
        "P-384" => ECCurve.NamedCurves.nistP384,
        "P-521" => ECCurve.NamedCurves.nistP521,
        "P-256K" => ECCurve.CreateFromValue("1.3.132.0.10"),
        _ => throw new ArgumentOutOfRangeException(nameof(crv), crv, null),
    };

    /// <summary>The private JWK members that must never leave Keyhub.</summary>
    public static readonly IReadOnlyList<string> PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "k"];

    /// <summary>Asserts the bundle's JWK carries no private or symmetric member.</summary>
    public static void HasNoPrivateParts(JsonElement bundle)
    {
        var key = bundle.GetProperty("key");
        foreach (var member in PrivateMembers)
        {
            Assert.False(key.TryGetProperty(member, out _), $"The returned JWK has '{member}': {key.GetRawText()}");
        }
    }

    public static HashAlgorithmName Hash(string alg) => alg[^3..] switch
    {
        "256" or "56K" => HashAlgorithmName.SHA256,
        "384" => HashAlgorithmName.SHA384,
        "512" => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(alg), alg, null),
    };

    public static byte[] Digest(string alg, byte[] data) => alg[^3..] switch
    {
        "256" or "56K" => SHA256.HashData(data),
        "384" => SHA384.HashData(data),
        "512" => SHA512.HashData(data),
        _ => throw new ArgumentOutOfRangeException(nameof(alg), alg, null),
    };
}
