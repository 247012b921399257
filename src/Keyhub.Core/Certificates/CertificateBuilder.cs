using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyhub.Core.Keys;

namespace Keyhub.Core.Certificates;

/// <summary>
/// Builds X.509 certificates and CSRs from a policy with System.Security.Cryptography: critical key
/// usage, EKUs, SANs, basic constraints (not a CA), subject and authority key identifiers, and a
/// random 16-byte serial number.
/// </summary>
internal static class CertificateBuilder
{
    /// <summary>Self-signed certificates start ten minutes back, as Azure's do, to absorb clock skew.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(10);

    public static byte[] SelfSign(CertificatePolicy policy, KeyMaterial key, DateTimeOffset now)
    {
        using var keyObject = KeyObject.From(key);
        var request = Request(policy.X509, keyObject);
        var serial = NewSerialNumber();
        var subject = request.SubjectName;
        var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));
        using var certificate = request.Create(subject, keyObject.Generator, now - Backdate, now.AddMonths(policy.X509.ValidityMonths), serial);
        return certificate.RawData;
    }

    /// <summary>A PKCS#10 request signed by the key, carrying the policy's extensions.</summary>
    public static byte[] SigningRequest(CertificatePolicy policy, KeyMaterial key)
    {
        using var keyObject = KeyObject.From(key);
        return Request(policy.X509, keyObject).CreateSigningRequest(keyObject.Generator);
    }

    /// <summary>
    /// Issues a certificate for <paramref name="key"/>'s public half, signed by an EC issuer key that signs through a
    /// signature generator (a software key or one in the HSM), with the hash that matches its curve.
    /// </summary>
    public static byte[] Issue(
        CertificateX509Properties x509, KeyMaterial key, X509Certificate2 issuer, ECDsa issuerKey,
        DateTimeOffset notBefore, DateTimeOffset notAfter, byte[] serial)
    {
        using var subjectKey = KeyObject.From(key.ToPublic());
        var request = Request(x509, subjectKey, EcHash(issuerKey.KeySize));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var certificate = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), notBefore, notAfter, serial);
        return certificate.RawData;
    }

    /// <summary>A positive 16-byte serial from the CSPRNG (CA/Browser Forum: at least 64 random bits).</summary>
    public static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }

    public static X509KeyUsageFlags KeyUsageFlags(IEnumerable<string> usages) => usages.Aggregate(X509KeyUsageFlags.None, (flags, usage) => flags | usage switch
    {
        "digitalSignature" => X509KeyUsageFlags.DigitalSignature,
        "nonRepudiation" => X509KeyUsageFlags.NonRepudiation,
        "keyEncipherment" => X509KeyUsageFlags.KeyEncipherment,
        "dataEncipherment" => X509KeyUsageFlags.DataEncipherment,
        "keyAgreement" => X509KeyUsageFlags.KeyAgreement,
        "keyCertSign" => X509KeyUsageFlags.KeyCertSign,
        "cRLSign" => X509KeyUsageFlags.CrlSign,
        "encipherOnly" => X509KeyUsageFlags.EncipherOnly,
        "decipherOnly" => X509KeyUsageFlags.DecipherOnly,
        _ => X509KeyUsageFlags.None,
    });

    /// <summary>The hash an EC key of this size signs certificates with: SHA-256, -384 or -512 for P-256, P-384, P-521.</summary>
    private static HashAlgorithmName EcHash(int keySizeBits) => keySizeBits switch
    {
        <= 256 => HashAlgorithmName.SHA256,
        <= 384 => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    private static CertificateRequest Request(CertificateX509Properties x509, KeyObject key, HashAlgorithmName? signingHash = null)
    {
        var subject = new X500DistinguishedName(x509.Subject);
        var request = new CertificateRequest(subject, key.PublicKey, signingHash ?? key.HashAlgorithm);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        var usage = KeyUsageFlags(x509.KeyUsage);
        if (usage != X509KeyUsageFlags.None)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        }
        if (x509.Ekus.Count > 0)
        {
            var ekus = new OidCollection();
            foreach (var oid in x509.Ekus)
            {
                ekus.Add(new Oid(oid));
            }
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(ekus, critical: false));
        }
        if (x509.DnsNames.Count + x509.Emails.Count + x509.Upns.Count + x509.Uris.Count + x509.IpAddresses.Count > 0)
        {
            var sans = new SubjectAlternativeNameBuilder();
            x509.DnsNames.ToList().ForEach(sans.AddDnsName);
            x509.Emails.ToList().ForEach(sans.AddEmailAddress);
            x509.Upns.ToList().ForEach(sans.AddUserPrincipalName);
            x509.Uris.ToList().ForEach(u => sans.AddUri(new Uri(u)));
            x509.IpAddresses.ToList().ForEach(ip => sans.AddIpAddress(IPAddress.Parse(ip)));
            request.CertificateExtensions.Add(sans.Build());
        }
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request;
    }

    /// <summary>An RSA or ECDsa object for one build, with its signature generator; disposed with it.</summary>
    private sealed class KeyObject : IDisposable
    {
        private readonly AsymmetricAlgorithm _key;

        private KeyObject(AsymmetricAlgorithm key, PublicKey publicKey, X509SignatureGenerator generator, HashAlgorithmName hash)
        {
            _key = key;
            PublicKey = publicKey;
            Generator = generator;
            HashAlgorithm = hash;
        }

        public PublicKey PublicKey { get; }
        public X509SignatureGenerator Generator { get; }
        public HashAlgorithmName HashAlgorithm { get; }

        public static KeyObject From(KeyMaterial key)
        {
            var includePrivate = key.D is not null;
            if (key.Kty == KeyTypes.Rsa)
            {
                var rsa = key.CreateRsa(includePrivate);
                return new KeyObject(rsa, new PublicKey(rsa), X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1), HashAlgorithmName.SHA256);
            }
            var ecdsa = key.CreateEcdsa(includePrivate);
            return new KeyObject(ecdsa, new PublicKey(ecdsa), X509SignatureGenerator.CreateForECDsa(ecdsa), EcHash(key.Size));
        }

        public void Dispose() => _key.Dispose();
    }
}
