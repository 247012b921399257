using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace Keyhub.Core.Keys;

/// <summary>
/// A key's material as a JWK with its private parts. Lives only in encrypted payloads and in memory
/// while an operation runs; <see cref="ToPublic"/> is all that ever leaves Keyhub.
/// </summary>
public sealed record KeyMaterial
{
    [JsonPropertyName("kty")] public required string Kty { get; init; }
    [JsonPropertyName("crv")] public string? Crv { get; init; }
    [JsonPropertyName("n")] public byte[]? N { get; init; }
    [JsonPropertyName("e")] public byte[]? E { get; init; }
    [JsonPropertyName("d")] public byte[]? D { get; init; }
    [JsonPropertyName("p")] public byte[]? P { get; init; }
    [JsonPropertyName("q")] public byte[]? Q { get; init; }
    [JsonPropertyName("dp")] public byte[]? DP { get; init; }
    [JsonPropertyName("dq")] public byte[]? DQ { get; init; }
    [JsonPropertyName("qi")] public byte[]? QI { get; init; }
    [JsonPropertyName("x")] public byte[]? X { get; init; }
    [JsonPropertyName("y")] public byte[]? Y { get; init; }
    [JsonPropertyName("k")] public byte[]? K { get; init; }

    /// <summary>Key size in bits: RSA modulus, EC curve order, or AES key.</summary>
    [JsonIgnore]
    public int Size => Kty switch
    {
        KeyTypes.Rsa => (N?.Length ?? 0) * 8,
        KeyTypes.Ec => Crv switch { Curves.P256 or Curves.P256K => 256, Curves.P384 => 384, _ => 521 },
        _ => (K?.Length ?? 0) * 8,
    };

    /// <summary>The public half only: never d, p, q, dp, dq, qi or k.</summary>
    public KeyMaterial ToPublic() => new() { Kty = Kty, Crv = Crv, N = N, E = E, X = X, Y = Y };

    public RSA CreateRsa(bool includePrivate)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportParameters(new RSAParameters
            {
                Modulus = N,
                Exponent = E,
                D = includePrivate ? D : null,
                P = includePrivate ? P : null,
                Q = includePrivate ? Q : null,
                DP = includePrivate ? DP : null,
                DQ = includePrivate ? DQ : null,
                InverseQ = includePrivate ? QI : null,
            });
            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    public ECDsa CreateEcdsa(bool includePrivate) => ECDsa.Create(new ECParameters
    {
        Curve = Curves.ToCurve(Crv!),
        Q = new ECPoint { X = X, Y = Y },
        D = includePrivate ? D : null,
    });

    /// <summary>A copy that owns its arrays, so clearing one leaves the other intact.</summary>
    public KeyMaterial DeepCopy() => this with
    {
        N = N?.ToArray(), E = E?.ToArray(), D = D?.ToArray(), P = P?.ToArray(), Q = Q?.ToArray(),
        DP = DP?.ToArray(), DQ = DQ?.ToArray(), QI = QI?.ToArray(), X = X?.ToArray(), Y = Y?.ToArray(), K = K?.ToArray(),
    };

    /// <summary>Zeroes the private parts (the caller owns this instance).</summary>
    public void Clear()
    {
        foreach (var part in new[] { D, P, Q, DP, DQ, QI, K })
        {
            if (part is not null)
            {
                CryptographicOperations.ZeroMemory(part);
            }
        }
    }
}
