using System.Text;
using Azure.Security.KeyVault.Secrets;
using Keyhub.Core.Storage;

namespace Keyhub.Server.Tests.Security;

/// <summary>
/// design.md §3: only identifiers and timestamps reach the database in the clear. The raw SQLite file
/// and its WAL are searched for every value, tag and content type written through the API, in every
/// encoding a careless implementation might use; and a purged secret leaves none of its ciphertext.
/// </summary>
[Collection(SecurityServerCollection.Name)]
public sealed class AtRestEncryptionTests(SecurityServer fixture)
{
    [Fact]
    public async Task Secret_values_tags_and_content_types_never_reach_the_database_files_in_the_clear()
    {
        var server = fixture.Server;
        var client = server.SecretClient();
        var sensitive = new List<(string Label, string Value)>();
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var name = $"At-Rest-{i}-{StoreFiles.Distinctive(8)}";
            names.Add(name.ToLowerInvariant());
            var first = new KeyVaultSecret(name, $"first-value-{StoreFiles.Distinctive(40)}");
            var second = new KeyVaultSecret(name, $"second-välue-ünïcode-{StoreFiles.Distinctive(40)}\n{StoreFiles.Distinctive(12)}");
            second.Properties.ContentType = $"application/x-{StoreFiles.Distinctive(20)}";
            second.Properties.Tags[$"tag-name-{StoreFiles.Distinctive(16)}"] = $"tag-value-{StoreFiles.Distinctive(24)}";
            second.Properties.Tags[$"other-tag-{StoreFiles.Distinctive(16)}"] = $"other-value-{StoreFiles.Distinctive(24)}";
            await client.SetSecretAsync(first);
            var stored = (await client.SetSecretAsync(second)).Value;

            var update = stored.Properties;
            update.Tags[$"added-tag-{StoreFiles.Distinctive(16)}"] = $"added-value-{StoreFiles.Distinctive(24)}";
            update.ContentType = $"text/x-{StoreFiles.Distinctive(20)}";
            await client.UpdateSecretPropertiesAsync(update);

            sensitive.Add(($"{name} first value", first.Value));
            sensitive.Add(($"{name} second value", second.Value));
            sensitive.Add(($"{name} first content type", second.Properties.ContentType));
            sensitive.Add(($"{name} updated content type", update.ContentType));
            foreach (var (tag, value) in update.Tags)
            {
                sensitive.Add(($"{name} tag name", tag));
                sensitive.Add(($"{name} tag value", value));
            }
        }
        Assert.Equal("second", (await client.GetSecretAsync(names[0])).Value.Value[..6]);
        var (_, principalSecret, _) = await server.AddPrincipalAsync("at-rest-principal");
        sensitive.Add(("dev administrator client secret", server.Credentials.ClientSecret));
        sensitive.Add(("principal client secret", principalSecret));

        AssertNothingInTheClear(server.DataDirectory, names, sensitive, "before the checkpoint");
        await server.Server.Runtime.Store.CompactAsync(CancellationToken.None);
        AssertNothingInTheClear(server.DataDirectory, names, sensitive, "after the checkpoint");
    }

    [Fact]
    public async Task Purged_secret_leaves_no_ciphertext_in_the_database_or_its_wal()
    {
        var server = fixture.Server;
        var store = server.Server.Runtime.Store;
        var client = server.SecretClient();
        var name = $"Purge-Me-{StoreFiles.Distinctive(8)}";
        var normalized = name.ToLowerInvariant();
        var ciphertexts = new List<(string Label, byte[] Payload)>();

        var v1 = (await client.SetSecretAsync(name, $"purged-one-{StoreFiles.Distinctive(40)}")).Value;
        ciphertexts.Add(("v1 as first written", await PayloadAsync(normalized, v1.Properties.Version)));
        var v2 = (await client.SetSecretAsync(name, $"purged-two-{StoreFiles.Distinctive(40)}")).Value;
        ciphertexts.Add(("v2", await PayloadAsync(normalized, v2.Properties.Version)));
        v1.Properties.Tags["purged-tag"] = StoreFiles.Distinctive(24);
        await client.UpdateSecretPropertiesAsync(v1.Properties);
        ciphertexts.Add(("v1 after its update", await PayloadAsync(normalized, v1.Properties.Version)));
        var head = await store.GetAsync(new RecordKey("hub", "secret", normalized, ""), CancellationToken.None);
        ciphertexts.Add(("head", Assert.IsType<StoredRecord>(head).Payload));

        // The control: the newest ciphertexts are in the files now, so the search below can see them.
        var before = StoreFiles.Read(server.DataDirectory);
        foreach (var (label, payload) in ciphertexts.Skip(1))
        {
            Assert.True(StoreFiles.AnyContains(before, payload), $"The {label} ciphertext should be on disk before the purge.");
        }

        var deletion = await client.StartDeleteSecretAsync(name);
        await deletion.WaitForCompletionAsync();
        await client.PurgeDeletedSecretAsync(name);
        await store.CompactAsync(CancellationToken.None);

        Assert.Null(await store.GetAsync(new RecordKey("hub", "secret-version", normalized, v1.Properties.Version), CancellationToken.None));
        var after = StoreFiles.Read(server.DataDirectory);
        var leaks = new List<string>();
        foreach (var (label, payload) in ciphertexts)
        {
            foreach (var (part, chunk) in Chunks(payload))
            {
                if (StoreFiles.AnyContains(after, chunk))
                {
                    leaks.Add($"{label} ({part})");
                }
            }
        }
        Assert.True(leaks.Count == 0, "Ciphertext of the purged secret is still on disk: " + string.Join("; ", leaks));
    }

    private async Task<byte[]> PayloadAsync(string normalizedName, string version)
    {
        var record = await fixture.Server.Server.Runtime.Store.GetAsync(
            new RecordKey("hub", "secret-version", normalizedName, version), CancellationToken.None);
        return Assert.IsType<StoredRecord>(record).Payload;
    }

    /// <summary>The whole payload and three 24-byte pieces of it (just after the nonce, the middle, the tag end), so a partly overwritten copy still shows.</summary>
    private static IEnumerable<(string Part, byte[] Bytes)> Chunks(byte[] payload)
    {
        yield return ("whole", payload);
        const int Header = 1 + 4 + 12;
        foreach (var (part, offset) in new[] { ("start", Header), ("middle", payload.Length / 2), ("end", payload.Length - 24) })
        {
            yield return (part, payload.AsSpan(offset, 24).ToArray());
        }
    }

    private static void AssertNothingInTheClear(string dataDirectory, IReadOnlyList<string> names, IReadOnlyList<(string Label, string Value)> sensitive, string when)
    {
        var files = StoreFiles.Read(dataDirectory);
        // The control: names are identifiers, stored in the clear, so the search does see the rows.
        foreach (var name in names)
        {
            Assert.True(StoreFiles.AnyContains(files, Encoding.UTF8.GetBytes(name)), $"Secret name {name} not found {when}: the search reads the wrong files.");
        }
        var leaks = sensitive.SelectMany(s => StoreFiles.FindLeaks(files, s.Label, s.Value)).ToList();
        Assert.True(leaks.Count == 0, $"In the clear {when}: " + string.Join("; ", leaks));
    }
}
