using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyhub.Core.Certificates;
using Keyhub.Core.Keys;
using Keyhub.Core.Vaults;
using Keyhub.Server.Hosting;

namespace Keyhub.Server.Tests.Hosting;

/// <summary>
/// A data folder holding what the certificates issue stores — certificate versions with their managed keys
/// and secrets, policies, a pending (CSR) operation, the workload CA, an issuer, contacts, a deleted
/// certificate — plus a certificate backup blob and an ordinary key with its backup: committed under
/// Golden/ and required to keep opening and restoring in every later version.
/// </summary>
public sealed class GoldenCertificatesTests
{
    private const string GoldenFolder = "Golden/deployment-v1-certificates";
    private const string GoldenCertificateBackup = "Golden/certificate-backup-v1.txt";
    private const string GoldenKeyBackup = "Golden/key-backup-v1.txt";
    private const string TenantId = "0b8e4e1f-2a3b-4c1d-9a55-7f3c2a105b7e";
    private static readonly VaultProperties Hub = new() { Name = "hub" };
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Certificates_keys_policies_operations_and_the_workload_CA_written_by_format_v1_read_back()
    {
        var folder = CopyGolden();
        try
        {
            await using var runtime = await KeyhubRuntime.OpenAsync(folder, null, TimeProvider.System, Ct);
            var hub = (await runtime.Vaults.GetAsync("hub", Ct))!;
            Assert.Contains("payments.internal", hub.CertDnsSuffixes);

            var selfSigned = await runtime.Certificates.GetAsync(hub, "golden-self", null, Ct);
            Assert.Equal("CN=golden.payments.internal", selfSigned.Policy!.X509.Subject);
            Assert.Equal(CertificatePolicyRules.Pem, selfSigned.Policy.ContentType);
            Assert.Equal(2, (await runtime.Certificates.ListVersionsAsync(hub, "golden-self", null, 25, Ct)).Items.Count);
            var secret = await runtime.Secrets.GetAsync(hub, "golden-self", selfSigned.Version, Ct);
            Assert.True(secret.Managed);
            using (var fromPem = X509Certificate2.CreateFromPem(secret.Value, secret.Value))
            {
                Assert.Equal(selfSigned.Cer, fromPem.RawData);
                Assert.True(fromPem.HasPrivateKey);
            }
            var digest = SHA256.HashData("golden"u8);
            var signature = await runtime.Keys.OperateAsync(hub, "golden-self", selfSigned.Version, KeyOperations.Sign, new KeyOperationInput("RS256", digest), Ct);
            using (var certificate = X509CertificateLoader.LoadCertificate(selfSigned.Cer!))
            using (var rsa = certificate.GetRSAPublicKey()!)
            {
                Assert.True(rsa.VerifyHash(digest, signature.Value, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            }

            var pending = await runtime.Certificates.GetOperationAsync(hub, "golden-csr", null, Ct);
            Assert.Equal(CertificateOperation.InProgress, pending.Status);
            Assert.NotNull(pending.Csr);

            var issued = await runtime.Certificates.GetAsync(hub, "golden-ca-issued", null, Ct);
            var chain = await runtime.Ca.ChainAsync(Ct);
            using (var leaf = X509CertificateLoader.LoadCertificate(issued.Cer!))
            using (var root = X509CertificateLoader.LoadCertificate(chain[^1]))
            using (var x509Chain = new X509Chain())
            {
                x509Chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                x509Chain.ChainPolicy.CustomTrustStore.Add(root);
                x509Chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                foreach (var der in chain.SkipLast(1))
                {
                    x509Chain.ChainPolicy.ExtraStore.Add(X509CertificateLoader.LoadCertificate(der));
                }
                Assert.True(x509Chain.Build(leaf));
            }
            // The CA written then still issues now.
            var again = await runtime.Certificates.CreateAsync(hub, "golden-ca-again", new NewCertificate
            {
                Policy = new CertificatePolicyUpdate { Subject = "CN=again.payments.internal", DnsNames = ["again.payments.internal"], IssuerName = CertificateIssuers.Keyhub },
            }, Ct);
            Assert.Equal(CertificateOperation.Completed, again.Status);

            Assert.Equal("Keyhub", (await runtime.Certificates.GetIssuerAsync(hub, "golden-issuer", Ct)).Provider);
            Assert.Equal("pki@payments.internal", Assert.Single(await runtime.Certificates.GetContactsAsync(hub, Ct)).Email);
            Assert.Equal("golden-deleted-cert", (await runtime.Certificates.GetDeletedAsync(hub, "golden-deleted-cert", Ct)).Latest.Name);

            var key = await runtime.Keys.GetAsync(hub, "golden-key", null, Ct);
            Assert.Equal(KeyTypes.Ec, key.PublicKey.Kty);
            Assert.False(key.Managed);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Certificate_and_key_backup_blobs_written_by_format_v1_restore()
    {
        var folder = CopyGolden();
        try
        {
            await using var runtime = await KeyhubRuntime.OpenAsync(folder, null, TimeProvider.System, Ct);
            var target = await runtime.Vaults.EnsureAsync(new VaultProperties { Name = "restored", Port = 65002 }, Ct);

            var certificate = await runtime.Certificates.RestoreAsync(target, ReadBlob(GoldenCertificateBackup), Ct);
            var key = await runtime.Keys.RestoreAsync(target, ReadBlob(GoldenKeyBackup), Ct);

            Assert.Equal("golden-self", certificate.Name);
            Assert.Equal(2, (await runtime.Certificates.ListVersionsAsync(target, "golden-self", null, 25, Ct)).Items.Count);
            Assert.True((await runtime.Secrets.GetAsync(target, "golden-self", null, Ct)).Managed);
            Assert.Equal("golden-key", key.Name);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Wrote the golden folder and blobs once. Never regenerate them: they stand for data in the field.</summary>
    [Fact(Skip = "Generator: run by hand only when a new format version adds new golden files.")]
    public async Task Generate_golden_certificates_deployment_v1()
    {
        var tests = FindTestsFolder();
        var target = Path.Combine(tests, GoldenFolder);
        Assert.False(Directory.Exists(target), "Golden folders are never overwritten.");
        await using var runtime = await KeyhubRuntime.OpenAsync(target, TenantId, TimeProvider.System, Ct);
        await runtime.Vaults.EnsureAsync(Hub, Ct);
        var hub = await runtime.Vaults.UpdateAsync("hub", new VaultUpdate { CertDnsSuffixes = ["payments.internal"] }, Ct);
        var selfPolicy = new CertificatePolicyUpdate { Subject = "CN=golden.payments.internal", IssuerName = CertificateIssuers.Self, ContentType = CertificatePolicyRules.Pem };
        await runtime.Certificates.CreateAsync(hub, "golden-self", new NewCertificate { Policy = selfPolicy, Tags = new Dictionary<string, string> { ["team"] = "payments" } }, Ct);
        await runtime.Certificates.CreateAsync(hub, "golden-self", new NewCertificate { Policy = selfPolicy }, Ct);
        await runtime.Certificates.CreateAsync(hub, "golden-csr", new NewCertificate
        {
            Policy = new CertificatePolicyUpdate { Subject = "CN=csr.payments.internal", IssuerName = CertificateIssuers.Unknown, Kty = KeyTypes.Ec, Curve = Curves.P384 },
        }, Ct);
        await runtime.Certificates.CreateAsync(hub, "golden-ca-issued", new NewCertificate
        {
            Policy = new CertificatePolicyUpdate { Subject = "CN=api.payments.internal", DnsNames = ["api.payments.internal"], IssuerName = CertificateIssuers.Keyhub },
        }, Ct);
        await runtime.Certificates.SetIssuerAsync(hub, new CertificateIssuer { Name = "golden-issuer", Provider = "Keyhub", AccountId = "acct", Password = "issuer-password" }, Ct);
        await runtime.Certificates.SetContactsAsync(hub, [new CertificateContact("pki@payments.internal", "PKI team", null)], Ct);
        await runtime.Certificates.CreateAsync(hub, "golden-deleted-cert", new NewCertificate { Policy = selfPolicy with { ContentType = null } }, Ct);
        await runtime.Certificates.DeleteAsync(hub, "golden-deleted-cert", Ct);
        await runtime.Keys.CreateAsync(hub, "golden-key", new NewKey(KeyTypes.Ec) { Curve = Curves.P256 }, Ct);
        await File.WriteAllTextAsync(Path.Combine(tests, GoldenCertificateBackup),
            System.Buffers.Text.Base64Url.EncodeToString(await runtime.Certificates.BackupAsync(hub, "golden-self", Ct)) + "\n");
        await File.WriteAllTextAsync(Path.Combine(tests, GoldenKeyBackup),
            System.Buffers.Text.Base64Url.EncodeToString(await runtime.Keys.BackupAsync(hub, "golden-key", Ct)) + "\n");
    }

    private static byte[] ReadBlob(string file) =>
        System.Buffers.Text.Base64Url.DecodeFromChars(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, file)).Trim());

    private static string CopyGolden() => GoldenFiles.CopyFolder(GoldenFolder);

    private static string FindTestsFolder() => GoldenFiles.TestsFolder();
}
