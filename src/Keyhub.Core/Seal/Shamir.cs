using System.Security.Cryptography;

namespace Keyhub.Core.Seal;

/// <summary>
/// Shamir's secret sharing over GF(2^8), byte by byte: a share is its x-coordinate (1–255) followed by one
/// y byte per secret byte. Any <c>threshold</c> shares give the secret back by Lagrange interpolation at 0;
/// fewer give no information about it. Coefficients come from the CSPRNG and are zeroed after use.
/// </summary>
public static class Shamir
{
    public const int MaxShares = 255;

    public static byte[][] Split(ReadOnlySpan<byte> secret, int shares, int threshold) =>
        Split(secret, shares, threshold, RandomNumberGenerator.Fill);

    /// <summary>With the coefficient source given, for known-answer tests.</summary>
    internal static byte[][] Split(ReadOnlySpan<byte> secret, int shares, int threshold, RandomFill fillRandom)
    {
        if (secret.Length == 0)
        {
            throw new ArgumentException("The secret is empty.", nameof(secret));
        }
        if (threshold < 2 || shares < threshold || shares > MaxShares)
        {
            throw new ArgumentException($"Shares are 2-{MaxShares}, and the threshold is 2 up to the number of shares.");
        }
        var result = new byte[shares][];
        for (var i = 0; i < shares; i++)
        {
            result[i] = new byte[secret.Length + 1];
            result[i][0] = (byte)(i + 1);
        }
        // One polynomial per secret byte: constant term the byte, threshold-1 random coefficients.
        var coefficients = new byte[threshold - 1];
        try
        {
            for (var j = 0; j < secret.Length; j++)
            {
                fillRandom(coefficients);
                for (var i = 0; i < shares; i++)
                {
                    result[i][j + 1] = Evaluate(secret[j], coefficients, result[i][0]);
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(coefficients);
        }
        return result;
    }

    /// <summary>The secret from at least a threshold of distinct shares (any order). Fewer shares give a wrong value, not an error.</summary>
    public static byte[] Combine(IReadOnlyList<byte[]> shares)
    {
        if (shares.Count < 2)
        {
            throw new ArgumentException("At least two shares are needed.", nameof(shares));
        }
        var length = shares[0].Length;
        if (length < 2 || shares.Any(s => s.Length != length))
        {
            throw new ArgumentException("Shares must all have the same, non-trivial length.", nameof(shares));
        }
        var xs = shares.Select(s => s[0]).ToArray();
        if (xs.Contains((byte)0) || xs.Distinct().Count() != xs.Length)
        {
            throw new ArgumentException("Shares need distinct, non-zero x-coordinates.", nameof(shares));
        }
        // Lagrange basis at 0: l_i(0) = Π_{m≠i} x_m / (x_m − x_i); subtraction is XOR in GF(2^8).
        var basis = new byte[xs.Length];
        for (var i = 0; i < xs.Length; i++)
        {
            byte numerator = 1, denominator = 1;
            for (var m = 0; m < xs.Length; m++)
            {
                if (m != i)
                {
                    numerator = Gf256.Multiply(numerator, xs[m]);
                    denominator = Gf256.Multiply(denominator, Gf256.Add(xs[m], xs[i]));
                }
            }
            basis[i] = Gf256.Divide(numerator, denominator);
        }
        var secret = new byte[length - 1];
        for (var j = 0; j < secret.Length; j++)
        {
            byte value = 0;
            for (var i = 0; i < shares.Count; i++)
            {
                value = Gf256.Add(value, Gf256.Multiply(basis[i], shares[i][j + 1]));
            }
            secret[j] = value;
        }
        return secret;
    }

    /// <summary>
    /// A check value recorded for each share at init, so a share typed in later is recognised as one of the
    /// originals (or refused) without combining anything. Shares carry at least a key's worth of entropy,
    /// so their SHA-256 reveals nothing useful.
    /// </summary>
    public static byte[] CheckValue(ReadOnlySpan<byte> share) => SHA256.HashData(share);

    /// <summary>Whether <paramref name="share"/> matches the check value recorded for its x-coordinate (constant time).</summary>
    public static bool Matches(ReadOnlySpan<byte> share, ReadOnlySpan<byte> checkValue) =>
        CryptographicOperations.FixedTimeEquals(CheckValue(share), checkValue);

    private static byte Evaluate(byte constant, byte[] coefficients, byte x)
    {
        // Horner from the highest coefficient down to the constant term.
        byte value = 0;
        for (var k = coefficients.Length - 1; k >= 0; k--)
        {
            value = Gf256.Add(Gf256.Multiply(value, x), coefficients[k]);
        }
        return Gf256.Add(Gf256.Multiply(value, x), constant);
    }
}

/// <summary>Fills a buffer (the CSPRNG, or a fixed source in known-answer tests).</summary>
internal delegate void RandomFill(Span<byte> buffer);
