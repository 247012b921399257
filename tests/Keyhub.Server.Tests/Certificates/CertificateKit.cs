using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure;
using Azure.Security.KeyVault.Certificates;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Certificates;

/// <summary>Clients, names, error checks and X.509 readers shared by the certificate tests.</summary>
internal static class CertificateKit
{
    /// <summary>The newest service version the 4.10.0 SDK speaks.</summary>
    public const CertificateClientOptions.ServiceVersion Version = CertificateClientOptions.ServiceVersion.V2026_04_01;

    public static CertificateClient Client(KeyhubTestServer server, string? clientId = null, string? clientSecret = null, Uri? vault = null)
    {
        var options = new CertificateClientOptions(Version)
        {
            DisableChallengeResourceVerification = true,
            Transport = TestTransport.Azure(server.CaCertificate),
        };
        options.Retry.MaxRetries = 0;
        return new CertificateClient(vault ?? server.VaultUri, server.Credential(clientId, clientSecret), options);
    }

    /// <summary>A certificate name (letters, digits, '-') no other test uses.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Creates a certificate through the create poller and returns it once issued.</summary>
    public static async Task<KeyVaultCertificateWithPolicy> CreateAsync(this CertificateClient client, string name, CertificatePolicy policy, IDictionary<string, string>? tags = null)
    {
        var operation = await client.StartCreateCertificateAsync(name, policy, enabled: true, tags: tags, cancellationToken: CancellationToken.None);
        return (await operation.WaitForCompletionAsync()).Value;
    }

    /// <summary>A self-signed policy for <paramref name="subject"/>, PKCS#12, exportable.</summary>
    public static CertificatePolicy SelfPolicy(string subject = "CN=app.payments.internal") =>
        new("Self", subject) { ContentType = CertificateContentType.Pkcs12, Exportable = true };

    public static async Task<List<T>> ToListAsync<T>(this AsyncPageable<T> pages)
        where T : notnull
    {
        var list = new List<T>();
        await foreach (var item in pages)
        {
            list.Add(item);
        }
        return list;
    }

    /// <summary>Awaits a call that must fail with the given status and Azure error code.</summary>
    public static async Task<RequestFailedException> FailsWith(int status, string errorCode, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(call);
        Assert.True(status == error.Status && errorCode == error.ErrorCode, $"Expected {status} {errorCode}, got {error.Status} {error.ErrorCode}: {error.Message}");
        var body = Body(error);
        Assert.Equal(errorCode, body.GetProperty("error").GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetProperty("message").GetString()));
        return error;
    }

    /// <summary>The JSON error body of a failed response.</summary>
    public static JsonElement Body(RequestFailedException error)
    {
        var response = error.GetRawResponse();
        Assert.NotNull(response);
        using var document = JsonDocument.Parse(response.Content.ToString());
        return document.RootElement.Clone();
    }

    public static string? InnerErrorCode(RequestFailedException error) =>
        Body(error).GetProperty("error").TryGetProperty("innererror", out var inner) ? inner.GetProperty("code").GetString() : null;

    /// <summary>The version segment of a versioned id (<c>…/certificates/{name}/{version}</c>, keys, secrets).</summary>
    public static string VersionOf(Uri id) => id.AbsolutePath.TrimEnd('/').Split('/')[^1];

    public static X509Certificate2 Load(byte[] der) => X509CertificateLoader.LoadCertificate(der);

    /// <summary>The SubjectPublicKeyInfo of a certificate (equal SPKIs mean the same key).</summary>
    public static byte[] PublicKeyOf(byte[] der)
    {
        using var certificate = Load(der);
        return certificate.PublicKey.ExportSubjectPublicKeyInfo();
    }

    /// <summary>Every name in a certificate's SAN extension, by kind: dns, ip, email, upn, uri.</summary>
    public static Dictionary<string, List<string>> SubjectAlternativeNames(X509Certificate2 certificate)
    {
        var names = new Dictionary<string, List<string>>(StringComparer.Ordinal)
        {
            ["dns"] = [], ["ip"] = [], ["email"] = [], ["upn"] = [], ["uri"] = [],
        };
        var extension = certificate.Extensions["2.5.29.17"];
        if (extension is null)
        {
            return names;
        }
        var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        while (reader.HasData)
        {
            var tag = reader.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific)
            {
                reader.ReadEncodedValue();
                continue;
            }
            switch (tag.TagValue)
            {
                case 0:
                {
                    var other = reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
                    var oid = other.ReadObjectIdentifier();
                    var value = other.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
                    if (oid == "1.3.6.1.4.1.311.20.2.3")
                    {
                        names["upn"].Add(value.ReadCharacterString(UniversalTagNumber.UTF8String));
                    }
                    break;
                }
                case 1:
                    names["email"].Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 1)));
                    break;
                case 2:
                    names["dns"].Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 2)));
                    break;
                case 6:
                    names["uri"].Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6)));
                    break;
                case 7:
                    names["ip"].Add(new IPAddress(reader.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 7))).ToString());
                    break;
                default:
                    reader.ReadEncodedValue();
                    break;
            }
        }
        return names;
    }

    /// <summary>Verifies a JWS-style signature (RS256 PKCS#1 v1.5, ES* IEEE P1363) over <paramref name="digest"/> with the certificate's public key.</summary>
    public static bool Verifies(byte[] certificateDer, byte[] digest, byte[] signature, HashAlgorithmName hash)
    {
        using var certificate = Load(certificateDer);
        using var rsa = certificate.GetRSAPublicKey();
        if (rsa is not null)
        {
            return rsa.VerifyHash(digest, signature, hash, RSASignaturePadding.Pkcs1);
        }
        using var ecdsa = certificate.GetECDsaPublicKey();
        return ecdsa!.VerifyHash(digest, signature);
    }
}

/// <summary>A CA made in the test with <see cref="CertificateRequest"/>; it signs leaves and CSRs.</summary>
public sealed class TestCa : IDisposable
{
    private readonly RSA _key;

    private TestCa(RSA key, X509Certificate2 certificate)
    {
        _key = key;
        Certificate = certificate;
    }

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public static TestCa Create(string subject)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return new TestCa(key, request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5)));
    }

    /// <summary>Signs a PKCS#10 request as a CA would: the requested extensions are kept, the validity is the CA's choice.</summary>
    public byte[] SignRequest(byte[] pkcs10, TimeSpan validity)
    {
        var request = CertificateRequest.LoadSigningRequest(pkcs10, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions, RSASignaturePadding.Pkcs1);
        return Issue(request, validity);
    }

    /// <summary>A leaf for a key made in the test (for imports and for mismatched merges).</summary>
    public X509Certificate2 IssueLeaf(string subject, AsymmetricAlgorithm key, TimeSpan validity)
    {
        var request = key switch
        {
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ecdsa => new CertificateRequest(subject, ecdsa, HashAlgorithmName.SHA256),
            _ => throw new ArgumentException("RSA or ECDsa", nameof(key)),
        };
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var der = Issue(request, validity);
        var certificate = X509CertificateLoader.LoadCertificate(der);
        return key switch
        {
            RSA rsa => Replace(certificate, certificate.CopyWithPrivateKey(rsa)),
            ECDsa ecdsa => Replace(certificate, certificate.CopyWithPrivateKey(ecdsa)),
            _ => certificate,
        };
    }

    private static X509Certificate2 Replace(X509Certificate2 old, X509Certificate2 replacement)
    {
        old.Dispose();
        return replacement;
    }

    private byte[] Issue(CertificateRequest request, TimeSpan validity)
    {
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForRSA(_key, RSASignaturePadding.Pkcs1), now.AddMinutes(-5), now + validity, serial);
        return issued.RawData;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
