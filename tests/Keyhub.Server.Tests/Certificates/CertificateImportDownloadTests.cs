using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Security.KeyVault.Certificates;
using static Keyhub.Server.Tests.Certificates.CertificateKit;

namespace Keyhub.Server.Tests.Certificates;

/// <summary>
/// Import of PKCS#12 (with and without a password) and PEM (key and chain), the policy Keyhub derives from
/// the certificate, refusals that store nothing, and DownloadCertificate in both formats: the private key
/// where the policy makes it exportable, the certificate alone where it does not.
/// </summary>
[Collection(CertificatesServerCollection.Name)]
public sealed class CertificateImportDownloadTests(CertificatesServer fixture)
{
    private CertificateClient Admin => fixture.Admin;

    [Fact]
    public async Task A_password_protected_PFX_with_its_chain_imports_and_downloads_with_the_same_key()
    {
        var name = UniqueName("import-pfx");
        using var key = RSA.Create(2048);
        using var leaf = fixture.OutsideCa.IssueLeaf("CN=imported.payments.internal, O=Payments", key, TimeSpan.FromDays(200));
        using var caOnly = X509CertificateLoader.LoadCertificate(fixture.OutsideCa.Certificate.RawData);
        var pfx = new X509Certificate2Collection { leaf, caOnly }.Export(X509ContentType.Pkcs12, "Import-Pa55word!")!;

        var imported = (await Admin.ImportCertificateAsync(new ImportCertificateOptions(name, pfx)
        {
            Password = "Import-Pa55word!",
            Tags = { ["source"] = "pfx" },
        })).Value;

        Assert.Equal(leaf.RawData, imported.Cer);
        Assert.Equal("pfx", imported.Properties.Tags["source"]);
        Assert.Equal(new DateTimeOffset(leaf.NotAfter.ToUniversalTime()), imported.Properties.ExpiresOn);
        // The policy comes from the certificate itself.
        Assert.Equal(WellKnownIssuerNames.Unknown, imported.Policy.IssuerName);
        Assert.Equal("CN=imported.payments.internal, O=Payments", imported.Policy.Subject);
        Assert.Equal(CertificateKeyType.Rsa, imported.Policy.KeyType);
        Assert.Equal(2048, imported.Policy.KeySize);
        Assert.Equal(CertificateContentType.Pkcs12, imported.Policy.ContentType);
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], imported.Policy.EnhancedKeyUsage);
        Assert.Equal(CertificatePolicyAction.EmailContacts, Assert.Single(imported.Policy.LifetimeActions).Action);

        using var downloaded = (await Admin.DownloadCertificateAsync(name)).Value;
        Assert.True(downloaded.HasPrivateKey);
        Assert.Equal(leaf.RawData, downloaded.RawData);
        using var downloadedKey = downloaded.GetRSAPrivateKey()!;
        Assert.Equal(key.ExportParameters(true).D, downloadedKey.ExportParameters(true).D);
        var secret = (await fixture.Server.SecretClient().GetSecretAsync(name)).Value;
        var bundle = X509CertificateLoader.LoadPkcs12Collection(Convert.FromBase64String(secret.Value), null);
        Assert.Contains(bundle, c => c.RawData.SequenceEqual(fixture.OutsideCa.Certificate.RawData));
        foreach (var c in bundle)
        {
            c.Dispose();
        }
    }

    [Fact]
    public async Task A_PFX_without_password_imports_an_EC_key_under_a_given_non_exportable_policy_that_keeps_the_key_inside()
    {
        var name = UniqueName("import-ec");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest("CN=ec.payments.internal", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(90));
        var policy = new CertificatePolicy
        {
            ContentType = CertificateContentType.Pkcs12,
            Exportable = false,
            KeyType = CertificateKeyType.Ec,
            LifetimeActions = { new LifetimeAction(CertificatePolicyAction.EmailContacts) { DaysBeforeExpiry = 10 } },
        };

        var imported = (await Admin.ImportCertificateAsync(new ImportCertificateOptions(name, certificate.Export(X509ContentType.Pkcs12)) { Policy = policy })).Value;

        Assert.Equal(certificate.RawData, imported.Cer);
        Assert.Equal(CertificateKeyType.Ec, imported.Policy.KeyType);
        Assert.Equal(CertificateKeyCurveName.P384, imported.Policy.KeyCurveName);
        Assert.False(imported.Policy.Exportable);
        Assert.Equal(10, Assert.Single(imported.Policy.LifetimeActions).DaysBeforeExpiry);
        Assert.Equal("CN=ec.payments.internal", imported.Policy.Subject);
        Assert.Equal([CertificateKeyUsage.DigitalSignature], imported.Policy.KeyUsage);
        using var downloaded = (await Admin.DownloadCertificateAsync(name)).Value;
        Assert.False(downloaded.HasPrivateKey);
        Assert.Equal(certificate.RawData, downloaded.RawData);
        var digest = SHA384.HashData("imported EC key signs inside Keyhub"u8);
        var signature = (await fixture.Raw.OperateOkAsync(name, imported.Properties.Version, "sign", Keys.RawKeysClient.Body("ES384", digest))).Value;
        Assert.True(key.VerifyHash(digest, signature));
    }

    [Fact]
    public async Task A_PEM_key_and_chain_imports_keeping_the_chain_and_downloads_with_the_key()
    {
        var name = UniqueName("import-pem");
        using var key = RSA.Create(2048);
        using var leaf = fixture.OutsideCa.IssueLeaf("CN=pem.payments.internal", key, TimeSpan.FromDays(120));
        var pem = key.ExportPkcs8PrivateKeyPem() + "\n" + leaf.ExportCertificatePem() + "\n" + fixture.OutsideCa.Certificate.ExportCertificatePem() + "\n";

        var imported = (await Admin.ImportCertificateAsync(new ImportCertificateOptions(name, Encoding.ASCII.GetBytes(pem))
        {
            Policy = new CertificatePolicy { ContentType = CertificateContentType.Pem },
        })).Value;

        Assert.Equal(leaf.RawData, imported.Cer);
        Assert.Equal(CertificateContentType.Pem, imported.Policy.ContentType);
        var secret = (await fixture.Server.SecretClient().GetSecretAsync(name)).Value;
        var blocks = PemBlocks(secret.Value);
        Assert.Equal(["PRIVATE KEY", "CERTIFICATE", "CERTIFICATE"], blocks.Select(b => b.Label));
        Assert.Equal(leaf.RawData, blocks[1].Der);
        Assert.Equal(fixture.OutsideCa.Certificate.RawData, blocks[2].Der);

        using var downloaded = (await Admin.DownloadCertificateAsync(new DownloadCertificateOptions(name))).Value;
        Assert.True(downloaded.HasPrivateKey);
        Assert.Equal(leaf.RawData, downloaded.RawData);
    }

    [Fact]
    public async Task PEM_sent_without_a_content_type_is_recognised_by_its_content_as_the_JS_SDK_needs()
    {
        var name = UniqueName("import-pem-sniffed");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = fixture.OutsideCa.IssueLeaf("CN=sniffed.payments.internal", key, TimeSpan.FromDays(30));
        var pem = key.ExportPkcs8PrivateKeyPem() + "\n" + leaf.ExportCertificatePem() + "\n";

        var bundle = (await fixture.Raw.SendAsync(HttpMethod.Post, $"/certificates/{name}/import", new JsonObject { ["value"] = pem })).Ok();

        Assert.Equal(Convert.ToBase64String(leaf.RawData), bundle.GetProperty("cer").GetString());
        Assert.Equal("application/x-pem-file", bundle.GetProperty("policy").GetProperty("secret_props").GetProperty("contentType").GetString());
        using var downloaded = (await Admin.DownloadCertificateAsync(name)).Value;
        Assert.True(downloaded.HasPrivateKey);
    }

    [Fact]
    public async Task A_wrong_PFX_password_or_unreadable_value_is_a_400_and_stores_nothing()
    {
        var name = UniqueName("import-refused");
        using var key = RSA.Create(2048);
        using var first = fixture.OutsideCa.IssueLeaf("CN=first.payments.internal", key, TimeSpan.FromDays(30));
        using var second = fixture.OutsideCa.IssueLeaf("CN=second.payments.internal", key, TimeSpan.FromDays(30));

        await FailsWith(400, "BadParameter", () => Admin.ImportCertificateAsync(new ImportCertificateOptions(name, first.Export(X509ContentType.Pkcs12, "right")!) { Password = "wrong" }));
        await FailsWith(404, "CertificateNotFound", () => Admin.GetCertificateAsync(name));
        (await fixture.Raw.GetAsync(name)).Error(System.Net.HttpStatusCode.NotFound, "KeyNotFound");

        var v1 = (await Admin.ImportCertificateAsync(new ImportCertificateOptions(name, first.Export(X509ContentType.Pkcs12, "right")!) { Password = "right" })).Value;
        await FailsWith(400, "BadParameter", () => Admin.ImportCertificateAsync(new ImportCertificateOptions(name, second.Export(X509ContentType.Pkcs12, "right")!) { Password = "wrong" }));
        await FailsWith(400, "BadParameter", () => Admin.ImportCertificateAsync(new ImportCertificateOptions(name, RandomNumberGenerator.GetBytes(400))));
        // A certificate without its private key is not an import.
        await FailsWith(400, "BadParameter", () => Admin.ImportCertificateAsync(new ImportCertificateOptions(name, second.Export(X509ContentType.Cert))));

        var latest = (await Admin.GetCertificateAsync(name)).Value;
        Assert.Equal(v1.Properties.Version, latest.Properties.Version);
        Assert.Equal(first.RawData, latest.Cer);
        Assert.Single(await Admin.GetPropertiesOfCertificateVersionsAsync(name).ToListAsync());
        Assert.Equal("CN=first.payments.internal", latest.Policy.Subject);
    }

    [Theory]
    [InlineData("application/x-pkcs12")]
    [InlineData("application/x-pem-file")]
    public async Task An_exportable_certificate_downloads_with_its_private_key(string contentType)
    {
        var name = UniqueName("download");
        var policy = SelfPolicy("CN=download.payments.internal");
        policy.ContentType = new CertificateContentType(contentType);
        var created = await Admin.CreateAsync(name, policy);

        using var latest = (await Admin.DownloadCertificateAsync(name)).Value;
        using var byVersion = (await Admin.DownloadCertificateAsync(name, created.Properties.Version)).Value;

        foreach (var downloaded in new[] { latest, byVersion })
        {
            Assert.True(downloaded.HasPrivateKey);
            Assert.Equal(created.Cer, downloaded.RawData);
            using var rsa = downloaded.GetRSAPrivateKey()!;
            var digest = SHA256.HashData(Encoding.UTF8.GetBytes(contentType));
            Assert.True(Verifies(created.Cer, digest, rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), HashAlgorithmName.SHA256));
        }
    }

    [Fact]
    public async Task A_PKCS12_certificate_downloads_as_PEM_when_asked_with_outContentType()
    {
        var name = UniqueName("download-convert");
        var created = await Admin.CreateAsync(name, SelfPolicy("CN=convert.payments.internal"));

        using var downloaded = (await Admin.DownloadCertificateAsync(name, created.Properties.Version, CertificateContentType.Pem)).Value;

        Assert.True(downloaded.HasPrivateKey);
        Assert.Equal(created.Cer, downloaded.RawData);
    }

    [Theory]
    [InlineData("application/x-pkcs12")]
    [InlineData("application/x-pem-file")]
    public async Task A_non_exportable_certificate_downloads_without_its_private_key_and_its_secret_holds_none(string contentType)
    {
        var name = UniqueName("non-exportable");
        var policy = SelfPolicy("CN=locked.payments.internal");
        policy.ContentType = new CertificateContentType(contentType);
        policy.Exportable = false;
        var created = await Admin.CreateAsync(name, policy);
        Assert.False(created.Policy.Exportable);

        using var downloaded = (await Admin.DownloadCertificateAsync(name)).Value;

        Assert.False(downloaded.HasPrivateKey);
        Assert.Equal(created.Cer, downloaded.RawData);
        var secret = (await fixture.Server.SecretClient().GetSecretAsync(name)).Value;
        Assert.DoesNotContain("PRIVATE KEY", secret.Value, StringComparison.Ordinal);
        if (contentType == "application/x-pkcs12")
        {
            var bundle = X509CertificateLoader.LoadPkcs12Collection(Convert.FromBase64String(secret.Value), null);
            Assert.All(bundle, c => Assert.False(c.HasPrivateKey));
            Assert.Equal(created.Cer, Assert.Single(bundle).RawData);
        }
        // The key still works inside Keyhub.
        var digest = SHA256.HashData("non-exportable keys still sign"u8);
        var signature = (await fixture.Raw.OperateOkAsync(name, created.Properties.Version, "sign", Keys.RawKeysClient.Body("RS256", digest))).Value;
        Assert.True(Verifies(created.Cer, digest, signature, HashAlgorithmName.SHA256));
    }

    private static List<(string Label, byte[] Der)> PemBlocks(string pem)
    {
        var blocks = new List<(string, byte[])>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            blocks.Add((rest[fields.Label].ToString(), Convert.FromBase64String(rest[fields.Base64Data].ToString())));
            rest = rest[fields.Location.End..];
        }
        return blocks;
    }
}
