using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Keyhub.Core.Keys;
using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Certificates;

/// <summary>A parsed import: the leaf certificate, the rest of the chain in the order given, and the leaf's key.</summary>
internal sealed record ParsedCertificate(byte[] Leaf, List<byte[]> Chain, KeyMaterial Key);

/// <summary>
/// The managed secret's value (PKCS#12 without a password, or PEM: PKCS#8 key then the chain, leaf
/// first) and the parsing of imports (PKCS#12 with or without a password, PEM).
/// </summary>
internal static class CertificateFormats
{
    public const int MaxImportBytes = 256 * 1024;

    /// <summary>The secret's value. Without <paramref name="key"/> (not exportable) it holds the certificates only.</summary>
    public static string SecretValue(string contentType, byte[] leaf, IReadOnlyList<byte[]> chain, KeyMaterial? key)
    {
        if (contentType == CertificatePolicyRules.Pem)
        {
            var pem = new StringBuilder();
            if (key is not null)
            {
                using var keyObject = CreateKey(key);
                pem.Append(keyObject.ExportPkcs8PrivateKeyPem()).Append('\n');
            }
            foreach (var der in chain.Prepend(leaf))
            {
                pem.Append(PemEncoding.WriteString("CERTIFICATE", der)).Append('\n');
            }
            return pem.ToString();
        }
        var collection = new X509Certificate2Collection();
        try
        {
            var certificate = X509CertificateLoader.LoadCertificate(leaf);
            if (key is not null)
            {
                using var keyObject = CreateKey(key);
                var withKey = keyObject switch
                {
                    RSA rsa => certificate.CopyWithPrivateKey(rsa),
                    ECDsa ecdsa => certificate.CopyWithPrivateKey(ecdsa),
                    _ => throw new InvalidOperationException("Unsupported key object."),
                };
                certificate.Dispose();
                certificate = withKey;
            }
            collection.Add(certificate);
            foreach (var der in chain)
            {
                collection.Add(X509CertificateLoader.LoadCertificate(der));
            }
            return Convert.ToBase64String(collection.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, password: null));
        }
        finally
        {
            foreach (var certificate in collection)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>
    /// Parses an import. PEM is recognised by content (JS sends PEM without saying so); anything else must
    /// be base64 PKCS#12. Every failure is one 400 that names no secret input.
    /// </summary>
    public static ParsedCertificate Parse(string value, string? password)
    {
        if (value.Length > MaxImportBytes * 2)
        {
            throw E.BadParameter("The certificate to import is too large.");
        }
        return value.TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal) ? ParsePem(value, password) : ParsePkcs12(value, password);
    }

    public static bool PublicKeysMatch(byte[] certificateDer, KeyMaterial key)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(certificateDer);
        return PublicKeysMatch(certificate, key);
    }

    public static KeyMaterial ToKeyMaterial(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => KeyFactory.FromRsa(rsa.ExportParameters(includePrivateParameters: true)),
        ECDsa ecdsa => FromEcdsa(ecdsa),
        _ => throw E.BadParameter("Only RSA and EC certificate keys are supported."),
    };

    private static ParsedCertificate ParsePkcs12(string value, string? password)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw E.BadParameter("The certificate to import is neither PEM nor base64-encoded PKCS#12 (PFX).");
        }
        X509Certificate2Collection collection;
        try
        {
            collection = X509CertificateLoader.LoadPkcs12Collection(bytes, password, X509KeyStorageFlags.Exportable);
        }
        catch (CryptographicException)
        {
            throw E.BadParameter("The PKCS#12 (PFX) content could not be read: it is malformed or the password is wrong.");
        }
        try
        {
            var leaf = collection.FirstOrDefault(c => c.HasPrivateKey)
                ?? throw E.BadParameter("The PKCS#12 (PFX) content has no private key; Keyhub imports a certificate with its key.");
            using var key = (AsymmetricAlgorithm?)leaf.GetRSAPrivateKey() ?? leaf.GetECDsaPrivateKey()
                ?? throw E.BadParameter("Only RSA and EC certificate keys are supported.");
            var material = ToKeyMaterial(key);
            var chain = collection.Where(c => !ReferenceEquals(c, leaf)).Select(c => c.RawData).ToList();
            return new ParsedCertificate(leaf.RawData, chain, material);
        }
        finally
        {
            foreach (var certificate in collection)
            {
                certificate.Dispose();
            }
        }
    }

    private static ParsedCertificate ParsePem(string value, string? password)
    {
        var certificates = new List<byte[]>();
        KeyMaterial? key = null;
        var rest = value.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            var base64 = rest[fields.Base64Data];
            var der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(base64, der, out _))
            {
                throw E.BadParameter("A PEM block of the certificate to import is malformed.");
            }
            switch (label)
            {
                case "CERTIFICATE":
                    certificates.Add(der);
                    break;
                case "PRIVATE KEY" or "RSA PRIVATE KEY" or "EC PRIVATE KEY" or "ENCRYPTED PRIVATE KEY":
                    if (key is not null)
                    {
                        throw E.BadParameter("The PEM content holds more than one private key.");
                    }
                    key = ReadPemKey(label, der, password);
                    break;
            }
            rest = rest[fields.Location.End..];
        }
        if (certificates.Count == 0)
        {
            throw E.BadParameter("The PEM content holds no CERTIFICATE block.");
        }
        if (key is null)
        {
            throw E.BadParameter("The PEM content holds no private key; Keyhub imports a certificate with its key (PKCS#8 PRIVATE KEY).");
        }
        var leaf = certificates.FirstOrDefault(c => PublicKeysMatch(c, key))
            ?? throw E.BadParameter("No certificate in the PEM content matches its private key.");
        return new ParsedCertificate(leaf, certificates.Where(c => !ReferenceEquals(c, leaf)).ToList(), key);
    }

    private static KeyMaterial ReadPemKey(string label, byte[] der, string? password)
    {
        try
        {
            // The algorithm is read from the PKCS#8 structure: try RSA, then EC.
            using var rsa = RSA.Create();
            try
            {
                Import(rsa, label, der, password);
                return ToKeyMaterial(rsa);
            }
            catch (CryptographicException) when (label is not "RSA PRIVATE KEY")
            {
                using var ecdsa = ECDsa.Create();
                Import(ecdsa, label, der, password);
                return ToKeyMaterial(ecdsa);
            }
        }
        catch (CryptographicException)
        {
            throw E.BadParameter("The private key in the PEM content could not be read: it is malformed, of an unsupported type, or the password is wrong.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    private static void Import(AsymmetricAlgorithm key, string label, byte[] der, string? password)
    {
        switch (label)
        {
            case "ENCRYPTED PRIVATE KEY":
                key.ImportEncryptedPkcs8PrivateKey((password ?? "").AsSpan(), der, out _);
                break;
            case "RSA PRIVATE KEY" when key is RSA rsa:
                rsa.ImportRSAPrivateKey(der, out _);
                break;
            case "EC PRIVATE KEY" when key is ECDsa ecdsa:
                ecdsa.ImportECPrivateKey(der, out _);
                break;
            default:
                key.ImportPkcs8PrivateKey(der, out _);
                break;
        }
    }

    private static KeyMaterial FromEcdsa(ECDsa ecdsa)
    {
        var parameters = ecdsa.ExportParameters(includePrivateParameters: true);
        var crv = parameters.Curve.Oid?.Value switch
        {
            "1.2.840.10045.3.1.7" => Curves.P256,
            "1.3.132.0.34" => Curves.P384,
            "1.3.132.0.35" => Curves.P521,
            _ => parameters.Curve.Oid?.FriendlyName switch
            {
                "nistP256" or "ECDSA_P256" => Curves.P256,
                "nistP384" or "ECDSA_P384" => Curves.P384,
                "nistP521" or "ECDSA_P521" => Curves.P521,
                _ => throw E.BadParameter("EC certificate keys use the curves P-256, P-384 or P-521."),
            },
        };
        return KeyFactory.FromEc(crv, parameters);
    }

    private static AsymmetricAlgorithm CreateKey(KeyMaterial key) =>
        key.Kty == KeyTypes.Rsa ? key.CreateRsa(includePrivate: true) : key.CreateEcdsa(includePrivate: true);

    private static bool PublicKeysMatch(X509Certificate2 certificate, KeyMaterial key)
    {
        if (key.Kty == KeyTypes.Rsa)
        {
            using var rsa = certificate.GetRSAPublicKey();
            if (rsa is null)
            {
                return false;
            }
            var p = rsa.ExportParameters(includePrivateParameters: false);
            return p.Modulus.AsSpan().SequenceEqual(key.N) && p.Exponent.AsSpan().SequenceEqual(key.E);
        }
        using var ecdsa = certificate.GetECDsaPublicKey();
        if (ecdsa is null)
        {
            return false;
        }
        var q = ecdsa.ExportParameters(includePrivateParameters: false).Q;
        return q.X.AsSpan().SequenceEqual(key.X) && q.Y.AsSpan().SequenceEqual(key.Y);
    }
}
