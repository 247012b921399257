using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Keyhub.Core.Certificates;
using Keyhub.Core.Keys;
using Keyhub.Core.Storage;
using Keyhub.Core.Vaults;
using Keyhub.Pkcs11.Tests;

namespace Keyhub.Server.Tests.Hsm;

/// <summary>
/// On a deployment with an HSM the workload CA's root and intermediate keys are made in the token: the database
/// keeps only their object ids, and certificates, CRLs and intermediates are signed inside the HSM.
/// </summary>
[Collection(HsmCollection.Name)]
public sealed class HsmWorkloadCaTests(HsmTokens tokens)
{
    private static CancellationToken Ct => CancellationToken.None;

    [SoftHsmFact]
    public async Task The_CA_keys_live_in_the_token_and_what_they_sign_chains_to_the_root_and_verifies()
    {
        var vault = await tokens.PremiumVaultAsync();
        var runtime = vault.Server.Server.Runtime;
        await runtime.Ca.RotateIntermediateAsync(Ct);
        var hub = new VaultProperties { Name = "hub", CertDnsSuffixes = ["payments.internal"] };
        var x509 = new CertificateX509Properties { Subject = "CN=api.payments.internal", DnsNames = ["api.payments.internal"], Ekus = CertificatePolicyRules.DefaultEkus };

        var (leafDer, chain) = await runtime.Ca.IssueAsync(hub, x509, KeyFactory.Generate(KeyTypes.Ec, null, null, Curves.P256), Ct);

        var keyRecords = (await runtime.Store.ListAsync(new RecordQuery(SystemVault.Name, "ca") { Limit = 100 }, Ct))
            .Where(r => r.Key.Name.EndsWith("key", StringComparison.Ordinal))
            .Select(r => SealedJson.Decrypt<JsonElement>(runtime.Seal.Barrier, r))
            .ToList();
        Assert.Equal(2, keyRecords.Count);    // the root's and the current intermediate's; the replaced one is gone
        foreach (var stored in keyRecords)
        {
            Assert.Empty(stored.GetProperty("pkcs8").GetBytesFromBase64());
            var id = stored.GetProperty("hsmId").GetBytesFromBase64();
            var locked = Assert.Single(vault.Token.Inspect(id).Objects, o => o.Class == "private");
            Assert.Equal((false, true), (locked.Extractable, locked.Sensitive));
        }
        using var leaf = X509CertificateLoader.LoadCertificate(leafDer);
        using var intermediate = X509CertificateLoader.LoadCertificate(chain[0]);
        using var root = X509CertificateLoader.LoadCertificate(chain[1]);
        using var x509Chain = new X509Chain();
        x509Chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        x509Chain.ChainPolicy.CustomTrustStore.Add(root);
        x509Chain.ChainPolicy.ExtraStore.Add(intermediate);
        x509Chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(x509Chain.Build(leaf), string.Join("; ", x509Chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(root.Thumbprint, x509Chain.ChainElements[^1].Certificate.Thumbprint);

        await runtime.Ca.RevokeAsync(leaf.SerialNumber, Ct);
        var crl = new Org.BouncyCastle.X509.X509CrlParser().ReadCrl(await runtime.Ca.CrlAsync(Ct));
        var issuerKey = Org.BouncyCastle.Security.PublicKeyFactory.CreateKey(intermediate.PublicKey.ExportSubjectPublicKeyInfo());
        crl.Verify(issuerKey);
        Assert.NotNull(crl.GetRevokedCertificate(new Org.BouncyCastle.Math.BigInteger(leaf.SerialNumber, 16)));
    }
}
