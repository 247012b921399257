using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Azure.Security.KeyVault.Certificates;
using Keyhub.Core.Storage;
using Keyhub.Server.Tests.Infrastructure;
using Keyhub.Server.Tests.Security;
using static Keyhub.Server.Tests.Certificates.CertificateKit;

namespace Keyhub.Server.Tests.Certificates;

/// <summary>
/// No certificate private key byte, import password, imported PFX or PEM, or issuer password reaches the
/// database files in the clear. Imported keys are known to the test; generated ones (created certificates,
/// the key waiting for a merge) are read back through the running server's barrier, which also proves the
/// search looks for what is really stored. The SQLite file, WAL and shared-memory index are searched in raw,
/// hex, base64 and base64url forms, before and after a checkpoint; the logs too.
/// </summary>
public sealed class CertificateAtRestTests
{
    [Fact]
    public async Task No_certificate_private_key_or_password_reaches_the_database_files_in_any_encoding()
    {
        await using var server = await KeyhubTestServer.StartAsync();
        var client = Client(server);
        using var ca = TestCa.Create("CN=At Rest Test Root");
        var secrets = new List<(string Label, byte[] Bytes)>();
        var names = new List<string>();

        // Imported: a password-protected PFX (RSA) and PEM (EC); their keys, the password and the uploads themselves.
        var pfxName = UniqueName("rest-pfx");
        using var rsa = RSA.Create(2048);
        using var rsaLeaf = ca.IssueLeaf("CN=rest-pfx.payments.internal", rsa, TimeSpan.FromDays(30));
        var password = "pfx-" + StoreFiles.Distinctive(24);
        var pfx = rsaLeaf.Export(X509ContentType.Pkcs12, password)!;
        await client.ImportCertificateAsync(new ImportCertificateOptions(pfxName, pfx) { Password = password });
        var rsaParts = rsa.ExportParameters(true);
        secrets.AddRange([("pfx d", rsaParts.D!), ("pfx p", rsaParts.P!), ("pfx q", rsaParts.Q!), ("pfx dp", rsaParts.DP!), ("pfx dq", rsaParts.DQ!), ("pfx qi", rsaParts.InverseQ!)]);
        secrets.Add(("pfx password", Encoding.UTF8.GetBytes(password)));
        secrets.Add(("pfx upload", pfx[^256..]));
        names.Add(pfxName);

        var pemName = UniqueName("rest-pem");
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ecLeaf = ca.IssueLeaf("CN=rest-pem.payments.internal", ec, TimeSpan.FromDays(30));
        var pkcs8 = ec.ExportPkcs8PrivateKey();
        var pem = PemEncoding.WriteString("PRIVATE KEY", pkcs8) + "\n" + ecLeaf.ExportCertificatePem() + "\n";
        await client.ImportCertificateAsync(new ImportCertificateOptions(pemName, Encoding.ASCII.GetBytes(pem)) { Policy = new CertificatePolicy { ContentType = CertificateContentType.Pem } });
        secrets.Add(("pem d", ec.ExportParameters(true).D!));
        secrets.Add(("pem pkcs8", pkcs8));
        names.Add(pemName);

        // Generated: exportable and not, RSA and EC, PKCS#12 and PEM; and one key waiting for a merge.
        var created = new List<string>();
        foreach (var (kty, contentType, exportable) in new[] { ("RSA", "application/x-pkcs12", true), ("EC", "application/x-pem-file", true), ("RSA", "application/x-pem-file", false) })
        {
            var name = UniqueName($"rest-{kty.ToLowerInvariant()}");
            var policy = SelfPolicy($"CN={name}.payments.internal");
            policy.KeyType = new CertificateKeyType(kty);
            policy.ContentType = new CertificateContentType(contentType);
            policy.Exportable = exportable;
            await client.CreateAsync(name, policy);
            // A second version (renewal by create) is covered too.
            await client.CreateAsync(name, policy);
            created.Add(name);
            names.Add(name);
        }
        var waiting = UniqueName("rest-waiting");
        await client.StartCreateCertificateAsync(waiting, new CertificatePolicy(WellKnownIssuerNames.Unknown, "CN=waiting.payments.internal"));
        names.Add(waiting);

        var issuerPassword = "issuer-" + StoreFiles.Distinctive(24);
        await client.CreateIssuerAsync(new CertificateIssuer(UniqueName("rest-issuer"), "DigiCert") { AccountId = "acct", Password = issuerPassword });
        secrets.Add(("issuer password", Encoding.UTF8.GetBytes(issuerPassword)));

        var runtime = server.Server.Runtime;
        foreach (var name in created.Concat([pfxName, pemName]))
        {
            await foreach (var version in client.GetPropertiesOfCertificateVersionsAsync(name))
            {
                var material = await DecryptAsync(server, new RecordKey("hub", "key-version", name.ToLowerInvariant(), version.Version), "material");
                foreach (var part in PrivateParts(material))
                {
                    secrets.Add(($"{name}/{version.Version} {part.Name}", part.Bytes));
                }
            }
        }
        var pending = await DecryptAsync(server, new RecordKey("hub", "certificate-operation", waiting.ToLowerInvariant(), ""), "pendingKey");
        var pendingParts = PrivateParts(pending).ToList();
        Assert.NotEmpty(pendingParts);
        secrets.AddRange(pendingParts.Select(p => ($"{waiting} pending {p.Name}", p.Bytes)));
        // The control: the stored key of the import is the imported key.
        var stored = await DecryptAsync(server, new RecordKey("hub", "key-version", pfxName.ToLowerInvariant(), VersionOf((await client.GetCertificateAsync(pfxName)).Value.KeyId)), "material");
        Assert.Equal(rsaParts.D, stored.GetProperty("d").GetBytesFromBase64());

        StoreFiles.AssertNoneInTheClear(server.DataDirectory, names, secrets, "before the checkpoint");
        await runtime.Store.CompactAsync(CancellationToken.None);
        StoreFiles.AssertNoneInTheClear(server.DataDirectory, names, secrets, "after the checkpoint");

        var logs = string.Join("\n", server.Logs.Lines);
        var inLogs = secrets.SelectMany(s => StoreFiles.EncodedForms(s.Bytes).Where(f => logs.Contains(Encoding.ASCII.GetString(f.Bytes), StringComparison.Ordinal)).Select(f => $"{s.Label} as {f.Form}")).ToList();
        Assert.True(inLogs.Count == 0, "In the logs: " + string.Join("; ", inLogs));
    }

    private static async Task<JsonElement> DecryptAsync(KeyhubTestServer server, RecordKey key, string member)
    {
        var runtime = server.Server.Runtime;
        var record = await runtime.Store.GetAsync(key, CancellationToken.None);
        Assert.True(record is not null, $"No record {key}.");
        var json = SealedJson.Decrypt<JsonElement>(runtime.Seal.Barrier, record);
        var found = json.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, member, StringComparison.OrdinalIgnoreCase));
        Assert.True(found.Value.ValueKind == JsonValueKind.Object, $"{key} has no '{member}': the search would look for nothing.");
        return found.Value;
    }

    private static IEnumerable<(string Name, byte[] Bytes)> PrivateParts(JsonElement material)
    {
        foreach (var member in new[] { "d", "p", "q", "dp", "dq", "qi" })
        {
            if (material.TryGetProperty(member, out var part) && part.ValueKind == JsonValueKind.String)
            {
                yield return (member, part.GetBytesFromBase64());
            }
        }
    }
}
