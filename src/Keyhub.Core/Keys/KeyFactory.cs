using System.Security.Cryptography;
using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Keys;

/// <summary>Generates new key material and checks imported material, always with System.Security.Cryptography.</summary>
internal static class KeyFactory
{
    public static readonly IReadOnlyList<int> RsaSizes = [2048, 3072, 4096];
    public static readonly IReadOnlyList<int> OctSizes = [128, 192, 256];

    /// <summary>Normalises a requested kty; <c>-HSM</c> types are refused here (see <see cref="ParseKty(string?, bool)"/>).</summary>
    public static string ParseKty(string? kty) => ParseKty(kty, premium: false).Kty;

    /// <summary>
    /// Normalises a requested kty to RSA, EC or oct, and whether it is an <c>-HSM</c> type — which only a premium
    /// (HSM-backed) vault accepts.
    /// </summary>
    public static (string Kty, bool Hsm) ParseKty(string? kty, bool premium) => kty switch
    {
        KeyTypes.Rsa or KeyTypes.Ec or KeyTypes.Oct => (kty, false),
        "RSA-HSM" or "EC-HSM" or "oct-HSM" when premium => (kty[..^4], true),
        "RSA-HSM" or "EC-HSM" or "oct-HSM" => throw E.BadParameter(
            $"Key type '{kty}' needs an HSM-backed (premium) vault; this vault holds software keys only. Use '{kty[..^4]}'."),
        null => throw E.BadParameter("The key type (kty) is required."),
        _ => throw E.BadParameter($"Unsupported key type '{kty}'. Supported: RSA, EC, oct{(premium ? ", RSA-HSM, EC-HSM, oct-HSM" : "")}."),
    };

    /// <summary>Checks a creation request's parameters: the key size (bits) and, for EC, the curve.</summary>
    public static (int Size, string? Curve) Normalize(string kty, int? keySize, int? publicExponent, string? curve)
    {
        switch (kty)
        {
            case KeyTypes.Rsa:
            {
                var size = keySize ?? 2048;
                if (!RsaSizes.Contains(size))
                {
                    throw E.BadParameter($"RSA key size {size} is not supported. Supported: 2048, 3072, 4096.");
                }
                if (publicExponent is not null and not 65537)
                {
                    throw E.BadParameter("Only the public exponent 65537 is supported.");
                }
                if (curve is not null)
                {
                    throw E.BadParameter("'crv' applies to EC keys only.");
                }
                return (size, null);
            }
            case KeyTypes.Ec:
            {
                if (publicExponent is not null)
                {
                    throw E.BadParameter("'public_exponent' applies to RSA keys only.");
                }
                var crv = curve ?? Curves.P256;
                _ = Curves.ToCurve(crv);
                var size = new KeyMaterial { Kty = KeyTypes.Ec, Crv = crv }.Size;
                if (keySize is not null && keySize != size)
                {
                    throw E.BadParameter($"key_size {keySize} does not match curve {crv}.");
                }
                return (size, crv);
            }
            default:
            {
                var size = keySize ?? 256;
                if (!OctSizes.Contains(size))
                {
                    throw E.BadParameter($"AES key size {size} is not supported. Supported: 128, 192, 256.");
                }
                if (curve is not null || publicExponent is not null)
                {
                    throw E.BadParameter("'crv' and 'public_exponent' do not apply to oct keys.");
                }
                return (size, null);
            }
        }
    }

    public static KeyMaterial Generate(string kty, int? keySize, int? publicExponent, string? curve)
    {
        var (size, crv) = Normalize(kty, keySize, publicExponent, curve);
        switch (kty)
        {
            case KeyTypes.Rsa:
            {
                using var rsa = RSA.Create(size);
                return FromRsa(rsa.ExportParameters(includePrivateParameters: true));
            }
            case KeyTypes.Ec:
            {
                using var ecdsa = ECDsa.Create(Curves.ToCurve(crv!));
                return FromEc(crv!, ecdsa.ExportParameters(includePrivateParameters: true));
            }
            default:
                return new KeyMaterial { Kty = KeyTypes.Oct, K = RandomNumberGenerator.GetBytes(size / 8) };
        }
    }

    /// <summary>
    /// Checks an imported JWK: private parts present, sizes supported, and the material usable (a
    /// sign/verify or encrypt/decrypt round trip), so a broken key is refused at import rather than at use.
    /// </summary>
    public static KeyMaterial ValidateImport(KeyMaterial key)
    {
        var kty = ParseKty(key.Kty);
        try
        {
            switch (kty)
            {
                case KeyTypes.Rsa:
                {
                    if (key.N is null || key.E is null || key.D is null || key.P is null || key.Q is null || key.DP is null || key.DQ is null || key.QI is null)
                    {
                        throw E.BadParameter("An imported RSA key needs n, e, d, p, q, dp, dq and qi.");
                    }
                    using var rsa = key.CreateRsa(includePrivate: true);
                    if (!RsaSizes.Contains(rsa.KeySize))
                    {
                        throw E.BadParameter($"RSA key size {rsa.KeySize} is not supported. Supported: 2048, 3072, 4096.");
                    }
                    var probe = RandomNumberGenerator.GetBytes(32);
                    var signature = rsa.SignHash(probe, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                    using var pub = key.CreateRsa(includePrivate: false);
                    if (!pub.VerifyHash(probe, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                    {
                        throw E.BadParameter("The imported RSA key's private and public parts do not match.");
                    }
                    return FromRsa(rsa.ExportParameters(includePrivateParameters: true));
                }
                case KeyTypes.Ec:
                {
                    if (key.Crv is null || !Curves.All.Contains(key.Crv))
                    {
                        throw E.BadParameter($"An imported EC key needs crv, one of {string.Join(", ", Curves.All)}.");
                    }
                    var size = Curves.CoordinateSize(key.Crv);
                    if (key.X?.Length != size || key.Y?.Length != size || key.D?.Length != size)
                    {
                        throw E.BadParameter($"An imported {key.Crv} key needs x, y and d of {size} bytes each.");
                    }
                    using var ecdsa = key.CreateEcdsa(includePrivate: true);
                    var probe = RandomNumberGenerator.GetBytes(32);
                    var signature = ecdsa.SignHash(probe);
                    using var pub = key.CreateEcdsa(includePrivate: false);
                    if (!pub.VerifyHash(probe, signature))
                    {
                        throw E.BadParameter("The imported EC key's private and public parts do not match.");
                    }
                    return FromEc(key.Crv, ecdsa.ExportParameters(includePrivateParameters: true));
                }
                default:
                    if (key.K is null || !OctSizes.Contains(key.K.Length * 8))
                    {
                        throw E.BadParameter("An imported oct key needs k of 16, 24 or 32 bytes.");
                    }
                    return new KeyMaterial { Kty = KeyTypes.Oct, K = (byte[])key.K.Clone() };
            }
        }
        catch (CryptographicException)
        {
            throw E.BadParameter("The imported key material is not a valid key.");
        }
    }

    internal static KeyMaterial FromRsa(RSAParameters p) => new()
    {
        Kty = KeyTypes.Rsa,
        N = p.Modulus,
        E = p.Exponent,
        D = p.D,
        P = p.P,
        Q = p.Q,
        DP = p.DP,
        DQ = p.DQ,
        QI = p.InverseQ,
    };

    internal static KeyMaterial FromEc(string crv, ECParameters p) => new()
    {
        Kty = KeyTypes.Ec,
        Crv = crv,
        X = p.Q.X,
        Y = p.Q.Y,
        D = p.D,
    };
}
