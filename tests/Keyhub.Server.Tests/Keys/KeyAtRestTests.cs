using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyhub.Core.Storage;
using Keyhub.Server.Tests.Security;
using static Keyhub.Server.Tests.Keys.RawKeysClient;

namespace Keyhub.Server.Tests.Keys;

/// <summary>
/// No private key byte reaches the database files in the clear. The private parts of imported keys are
/// known to the test; those of generated keys are read back through the barrier (the test holds the
/// running server's keyring), which also proves the search looks for what is really stored. The raw
/// SQLite file, its WAL and its shared-memory index are then searched for every part in raw, hex,
/// base64 and base64url form, before and after a checkpoint; and the server's logs too.
/// </summary>
[Collection(KeysServerCollection.Name)]
public sealed class KeyAtRestTests(KeysServer fixture)
{
    private RawKeysClient Admin => fixture.Admin;

    [Fact]
    public async Task No_private_or_symmetric_key_byte_reaches_the_database_files_in_any_encoding()
    {
        var server = fixture.Server;
        var keys = new List<(string Name, string Kty)>();
        var known = new List<(string Label, byte[] Bytes)>();

        foreach (var (kty, size, crv) in new (string, int?, string?)[] { ("RSA", 2048, null), ("EC", null, "P-256"), ("EC", null, "P-256K"), ("oct", 256, null), ("oct", 128, null) })
        {
            var name = UniqueName($"at-rest-{kty.ToLowerInvariant()}");
            await Admin.CreateOkAsync(name, kty, size, crv);
            keys.Add((name, kty));
        }
        var rotated = keys[1].Name;
        (await Admin.SendAsync(HttpMethod.Post, $"/keys/{rotated}/rotate")).Ok();

        using var rsa = RSA.Create(2048);
        var rsaParts = rsa.ExportParameters(includePrivateParameters: true);
        var importedRsa = UniqueName("at-rest-import-rsa");
        var rsaBundle = await Admin.ImportOkAsync(importedRsa, TestJwk.Rsa(rsaParts));
        keys.Add((importedRsa, "RSA"));
        known.AddRange([("imported d", rsaParts.D!), ("imported p", rsaParts.P!), ("imported q", rsaParts.Q!), ("imported dp", rsaParts.DP!), ("imported dq", rsaParts.DQ!), ("imported qi", rsaParts.InverseQ!)]);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var ecParts = ec.ExportParameters(includePrivateParameters: true);
        var importedEc = UniqueName("at-rest-import-ec");
        await Admin.ImportOkAsync(importedEc, TestJwk.Ec(ecParts, "P-384"));
        keys.Add((importedEc, "EC"));
        known.Add(("imported EC d", ecParts.D!));
        var k = RandomNumberGenerator.GetBytes(24);
        var importedOct = UniqueName("at-rest-import-oct");
        await Admin.ImportOkAsync(importedOct, TestJwk.Oct(k));
        keys.Add((importedOct, "oct"));
        known.Add(("imported k", k));
        // Rewrites of the payload (new tags, key_ops) are encrypted afresh too.
        (await Admin.UpdateAsync(importedRsa, Version(rsaBundle), new JsonObject { ["tags"] = new JsonObject { ["rewritten"] = "yes" }, ["key_ops"] = new JsonArray("sign", "verify") })).Ok();

        var secrets = new List<(string Label, byte[] Bytes)>(known);
        foreach (var (name, kty) in keys)
        {
            foreach (var item in await Admin.VersionsAsync(name))
            {
                var version = item.GetProperty("kid").GetString()!.Split('/')[^1];
                var material = await StoredMaterialAsync(name, version);
                var members = kty switch { "RSA" => new[] { "d", "p", "q", "dp", "dq", "qi" }, "EC" => ["d"], _ => ["k"] };
                foreach (var member in members)
                {
                    Assert.True(material.TryGetProperty(member, out var part) && part.ValueKind == JsonValueKind.String, $"{name}/{version} has no stored '{member}': the search would look for nothing.");
                    secrets.Add(($"{name}/{version} {member}", part.GetBytesFromBase64()));
                }
            }
        }
        // The control for imports: what is stored is what was imported.
        var storedImport = await StoredMaterialAsync(importedRsa, Version(rsaBundle));
        Assert.Equal(rsaParts.D, storedImport.GetProperty("d").GetBytesFromBase64());
        Assert.Equal(keys.Count + 1, secrets.Select(s => s.Label.Split(' ')[0]).Where(l => l.Contains('/', StringComparison.Ordinal)).Distinct().Count());

        StoreFiles.AssertNoneInTheClear(server.DataDirectory, keys.Select(k => k.Name).ToList(), secrets, "before the checkpoint");
        await server.Server.Runtime.Store.CompactAsync(CancellationToken.None);
        StoreFiles.AssertNoneInTheClear(server.DataDirectory, keys.Select(k => k.Name).ToList(), secrets, "after the checkpoint");

        var logs = string.Join("\n", server.Logs.Lines);
        var inLogs = secrets.SelectMany(s => StoreFiles.EncodedForms(s.Bytes).Where(f => logs.Contains(Encoding.ASCII.GetString(f.Bytes), StringComparison.Ordinal)).Select(f => $"{s.Label} as {f.Form}")).ToList();
        Assert.True(inLogs.Count == 0, "In the logs: " + string.Join("; ", inLogs));
    }

    /// <summary>The <c>material</c> of a stored key version, decrypted with the running server's barrier.</summary>
    private async Task<JsonElement> StoredMaterialAsync(string name, string version)
    {
        var runtime = fixture.Server.Server.Runtime;
        var record = await runtime.Store.GetAsync(new RecordKey("hub", "key-version", name.ToLowerInvariant(), version), CancellationToken.None);
        Assert.NotNull(record);
        return SealedJson.Decrypt<JsonElement>(runtime.Seal.Barrier, record).GetProperty("material");
    }
}
