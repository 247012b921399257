using System.Security.Cryptography;
using Keyhub.Core.Ca;
using Keyhub.Core.Certificates;
using Keyhub.Core.Keys;
using Keyhub.Core.Storage;
using Keyhub.Core.Vaults;
using Keyhub.Server.Hosting;
using Keyhub.Server.Tests.Security;

namespace Keyhub.Server.Tests.Ca;

/// <summary>The workload CA's private keys appear in the SQLite files only as barrier ciphertext.</summary>
public sealed class CaAtRestTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task No_CA_private_key_appears_in_the_database_files_in_any_encoding()
    {
        var folder = Directory.CreateTempSubdirectory("keyhub-ca-at-rest-").FullName;
        try
        {
            var secrets = new List<(string Label, byte[] Bytes)>();
            await using (var runtime = await KeyhubRuntime.OpenAsync(folder, null, TimeProvider.System, Ct))
            {
                var vault = new VaultProperties { Name = "hub", CertDnsSuffixes = ["payments.internal"] };
                var x509 = new CertificateX509Properties
                {
                    Subject = "CN=api.payments.internal",
                    DnsNames = ["api.payments.internal"],
                    Ekus = CertificatePolicyRules.DefaultEkus,
                };
                await runtime.Ca.IssueAsync(vault, x509, KeyFactory.Generate(KeyTypes.Ec, null, null, Curves.P256), Ct);
                secrets.AddRange(await KeysAsync(runtime, "before rotation"));
                await runtime.Ca.RotateIntermediateAsync(Ct);
                await runtime.Ca.IssueAsync(vault, x509, KeyFactory.Generate(KeyTypes.Ec, null, null, Curves.P256), Ct);
                secrets.AddRange(await KeysAsync(runtime, "after rotation"));
                Assert.Equal(8, secrets.Count);

                var files = StoreFiles.Read(folder);
                var leaks = new List<string>();
                foreach (var (label, bytes) in secrets)
                {
                    foreach (var (form, needle) in Forms(bytes))
                    {
                        if (StoreFiles.AnyContains(files, needle))
                        {
                            leaks.Add($"{label} as {form}");
                        }
                    }
                }
                Assert.Empty(leaks);
                // The payload field names are inside the ciphertext too.
                Assert.False(StoreFiles.AnyContains(files, "pkcs8"u8));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Every CA key record's PKCS#8 and private scalar, decrypted through the barrier the way the CA reads them.</summary>
    private static async Task<List<(string Label, byte[] Bytes)>> KeysAsync(KeyhubRuntime runtime, string when)
    {
        var found = new List<(string, byte[])>();
        foreach (var record in await runtime.Store.ListAsync(new RecordQuery(SystemVault.Name, "ca") { Limit = 100 }, Ct))
        {
            if (!record.Key.Name.EndsWith("-key", StringComparison.Ordinal))
            {
                continue;
            }
            var pkcs8 = SealedJson.Decrypt<CaKey>(runtime.Seal.Barrier, record).Pkcs8;
            using var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            found.Add(($"{record.Key.Name} PKCS#8 ({when})", pkcs8));
            found.Add(($"{record.Key.Name} d ({when})", key.ExportParameters(true).D!));
        }
        return found;
    }

    private static IEnumerable<(string Form, byte[] Needle)> Forms(byte[] secret)
    {
        yield return ("raw", secret);
        yield return ("base64", System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(secret)[..^4]));
        yield return ("base64url", System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(secret)[..^4].Replace('+', '-').Replace('/', '_')));
        yield return ("hex", System.Text.Encoding.ASCII.GetBytes(Convert.ToHexString(secret)));
        yield return ("hex-lower", System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(secret)));
    }
}
