using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Keyhub.Core.IO;

namespace Keyhub.Server.Dev;

/// <summary>
/// Dev mode TLS: a local CA, generated once, and a server certificate it signs for localhost,
/// 127.0.0.1, ::1 and the configured names. Keys are PEM files with mode 0600 outside the barrier,
/// because a sealed server must still serve unseal over HTTPS.
/// </summary>
internal static class DevCertificates
{
    private static readonly TimeSpan ServerValidity = TimeSpan.FromDays(397);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public static DevTlsFiles Ensure(string dataDirectory, IReadOnlyCollection<string> dnsNames, TimeProvider time)
    {
        var tls = Path.Combine(dataDirectory, "tls");
        var files = new DevTlsFiles(
            Path.Combine(tls, "ca.pem"), Path.Combine(tls, "ca-key.pem"),
            Path.Combine(tls, "server.pem"), Path.Combine(tls, "server-key.pem"));
        var now = time.GetUtcNow();
        if (!File.Exists(files.CaCertificate) || !File.Exists(files.CaKey))
        {
            CreateCa(files, now);
        }
        if (!ServerCertificateIsUsable(files, dnsNames, now))
        {
            CreateServerCertificate(files, dnsNames, now);
        }
        return files;
    }

    private static void CreateCa(DevTlsFiles files, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Keyhub Dev CA, O=Keyhub", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var ca = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        PrivateFile.WriteAtomically(files.CaKey, Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()), ownerOnly: true);
        PrivateFile.WriteAtomically(files.CaCertificate, Encoding.ASCII.GetBytes(ca.ExportCertificatePem()), ownerOnly: false);
    }

    private static void CreateServerCertificate(DevTlsFiles files, IReadOnlyCollection<string> dnsNames, DateTimeOffset now)
    {
        using var ca = X509Certificate2.CreateFromPemFile(files.CaCertificate, files.CaKey);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost, O=Keyhub Dev", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var notAfter = now + ServerValidity;
        if (notAfter > ca.NotAfter)
        {
            notAfter = ca.NotAfter;
        }
        using var server = request.Create(ca, now.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(16));
        PrivateFile.WriteAtomically(files.ServerKey, Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()), ownerOnly: true);
        PrivateFile.WriteAtomically(files.ServerCertificate, Encoding.ASCII.GetBytes(server.ExportCertificatePem() + "\n" + ca.ExportCertificatePem()), ownerOnly: false);
    }

    private static bool ServerCertificateIsUsable(DevTlsFiles files, IReadOnlyCollection<string> dnsNames, DateTimeOffset now)
    {
        if (!File.Exists(files.ServerCertificate) || !File.Exists(files.ServerKey))
        {
            return false;
        }
        using var cert = X509Certificate2.CreateFromPem(File.ReadAllText(files.ServerCertificate));
        if (cert.NotAfter.ToUniversalTime() - now.UtcDateTime < RenewBefore)
        {
            return false;
        }
        var present = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>()
            .SelectMany(e => e.EnumerateDnsNames())
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        return dnsNames.All(present.Contains);
    }
}

internal sealed record DevTlsFiles(string CaCertificate, string CaKey, string ServerCertificate, string ServerKey);
