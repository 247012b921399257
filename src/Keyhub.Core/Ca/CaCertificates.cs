using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyhub.Core.Certificates;

namespace Keyhub.Core.Ca;

/// <summary>The workload CA's own certificates: a P-384 root and P-256 issuing intermediates under it.</summary>
internal static class CaCertificates
{
    public const int RootYears = 10;
    public const int IntermediateYears = 2;

    /// <summary>
    /// A self-signed root that may sign one level of CA below it (the intermediates), for <paramref name="key"/> (P-384,
    /// in software or in the HSM: it signs through a signature generator, never by exporting the key).
    /// </summary>
    public static byte[] CreateRoot(ECDsa key, string deploymentLabel, DateTimeOffset now)
    {
        var name = Name($"Keyhub Workload Root CA {deploymentLabel}");
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var root = request.Create(name, X509SignatureGenerator.CreateForECDsa(key), now - CertificateBuilder.Backdate, now.AddYears(RootYears), CertificateBuilder.NewSerialNumber());
        return root.RawData;
    }

    /// <summary>
    /// An issuing intermediate (path length 0: it signs leaves only), valid two years or until the root
    /// ends. Each generation has its own name, so a chain builder never confuses two intermediates.
    /// </summary>
    public static (byte[] Certificate, byte[] Serial) CreateIntermediate(
        X509Certificate2 root, ECDsa rootKey, ECDsa key, string deploymentLabel, int generation, DateTimeOffset now)
    {
        var request = new CertificateRequest(Name($"Keyhub Workload Issuing CA {deploymentLabel} G{generation}"), key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var notBefore = Max(now - CertificateBuilder.Backdate, root.NotBefore.ToUniversalTime());
        var notAfter = Min(now.AddYears(IntermediateYears), root.NotAfter.ToUniversalTime());
        var serial = CertificateBuilder.NewSerialNumber();
        using var intermediate = request.Create(root.SubjectName, X509SignatureGenerator.CreateForECDsa(rootKey), notBefore, notAfter, serial);
        return (intermediate.RawData, serial);
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
