using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyhub.Core.Certificates;

namespace Keyhub.Core.Ca;

/// <summary>The workload CA's own certificates: a P-384 root and P-256 issuing intermediates under it.</summary>
internal static class CaCertificates
{
    public const int RootYears = 10;
    public const int IntermediateYears = 2;

    /// <summary>A self-signed root that may sign one level of CA below it (the intermediates).</summary>
    public static (byte[] Certificate, byte[] Pkcs8) CreateRoot(string deploymentLabel, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest(Name($"Keyhub Workload Root CA {deploymentLabel}"), key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var root = request.CreateSelfSigned(now - CertificateBuilder.Backdate, now.AddYears(RootYears));
        return (root.RawData, key.ExportPkcs8PrivateKey());
    }

    /// <summary>
    /// An issuing intermediate (path length 0: it signs leaves only), valid two years or until the root
    /// ends. Each generation has its own name, so a chain builder never confuses two intermediates.
    /// </summary>
    public static (byte[] Certificate, byte[] Serial, byte[] Pkcs8) CreateIntermediate(
        X509Certificate2 root, ECDsa rootKey, string deploymentLabel, int generation, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Name($"Keyhub Workload Issuing CA {deploymentLabel} G{generation}"), key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var notBefore = Max(now - CertificateBuilder.Backdate, root.NotBefore.ToUniversalTime());
        var notAfter = Min(now.AddYears(IntermediateYears), root.NotAfter.ToUniversalTime());
        var serial = CertificateBuilder.NewSerialNumber();
        using var signer = root.CopyWithPrivateKey(rootKey);
        using var intermediate = request.Create(signer, notBefore, notAfter, serial);
        return (intermediate.RawData, serial, key.ExportPkcs8PrivateKey());
    }

    public static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    public static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static X500DistinguishedName Name(string commonName)
    {
        // CN first, as Keyhub's dev TLS CA is written ("CN=…, O=Keyhub").
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(commonName);
        builder.AddOrganizationName("Keyhub");
        return builder.Build();
    }
}
