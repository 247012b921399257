using Azure.Security.KeyVault.Secrets;
using Keyhub.Server.Tests.Infrastructure;
using static Keyhub.Server.Tests.Secrets.SecretAssertions;

namespace Keyhub.Server.Tests.Secrets;

/// <summary>The error statuses and codes the SDK surfaces (wire.md §4.6, §6), and case-insensitive names.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class SecretErrorTests(SharedServer shared)
{
    private KeyhubTestServer Server => shared.Server;

    [Fact]
    public async Task A_missing_secret_is_404_SecretNotFound_for_every_operation_on_it()
    {
        var client = Server.SecretClient();
        var name = UniqueName("missing");

        var error = await FailsWith(404, "SecretNotFound", () => client.GetSecretAsync(name));
        Assert.Contains(name, ErrorMessage(error), StringComparison.Ordinal);
        await FailsWith(404, "SecretNotFound", () => client.GetSecretAsync(name, "0123456789abcdef0123456789abcdef"));
        await FailsWith(404, "SecretNotFound", () => client.UpdateSecretPropertiesAsync(new SecretProperties(new Uri(Server.VaultUri, $"/secrets/{name}/0123456789abcdef0123456789abcdef")) { ContentType = "x" }));
        await FailsWith(404, "SecretNotFound", () => client.GetDeletedSecretAsync(name));
        await FailsWith(404, "SecretNotFound", async () =>
        {
            await foreach (var _ in client.GetPropertiesOfSecretVersionsAsync(name))
            {
            }
        });
    }

    [Fact]
    public async Task A_missing_version_of_an_existing_secret_is_404_SecretNotFound()
    {
        var client = Server.SecretClient();
        var name = UniqueName("missing-version");
        var set = (await client.SetSecretAsync(name, "v")).Value;

        await FailsWith(404, "SecretNotFound", () => client.GetSecretAsync(name, "0123456789abcdef0123456789abcdef"));
        await FailsWith(404, "SecretNotFound", () => client.GetSecretAsync(name, "not-a-version"));
        await FailsWith(404, "SecretNotFound", () => client.UpdateSecretPropertiesAsync(new SecretProperties(new Uri(Server.VaultUri, $"/secrets/{name}/0123456789abcdef0123456789abcdef"))));
        Assert.Equal("v", (await client.GetSecretAsync(name, set.Properties.Version)).Value.Value);
    }

    [Fact]
    public async Task A_disabled_secret_cannot_be_read_403_Forbidden_SecretDisabled_until_enabled_again()
    {
        var client = Server.SecretClient();
        var name = UniqueName("disabled");
        var set = (await client.SetSecretAsync(new KeyVaultSecret(name, "hidden") { Properties = { Enabled = false } })).Value;
        Assert.False(set.Properties.Enabled);

        var forbidden = await FailsWith(403, "Forbidden", () => client.GetSecretAsync(name));
        Assert.Equal("SecretDisabled", InnerErrorCode(forbidden));
        Assert.DoesNotContain("hidden", forbidden.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
        await FailsWith(403, "Forbidden", () => client.GetSecretAsync(name, set.Properties.Version));

        var listed = new List<SecretProperties>();
        await foreach (var v in client.GetPropertiesOfSecretVersionsAsync(name))
        {
            listed.Add(v);
        }
        Assert.False(Assert.Single(listed).Enabled);

        var properties = set.Properties;
        properties.Enabled = true;
        var enabled = (await client.UpdateSecretPropertiesAsync(properties)).Value;
        Assert.True(enabled.Enabled);
        Assert.Equal("hidden", (await client.GetSecretAsync(name)).Value.Value);
    }

    [Fact]
    public async Task Disabling_the_latest_version_leaves_older_versions_readable()
    {
        var client = Server.SecretClient();
        var name = UniqueName("disable-latest");
        var old = (await client.SetSecretAsync(name, "old")).Value;
        var latest = (await client.SetSecretAsync(name, "latest")).Value;
        var properties = latest.Properties;
        properties.Enabled = false;

        var updated = (await client.UpdateSecretPropertiesAsync(properties)).Value;

        Assert.False(updated.Enabled);
        await FailsWith(403, "Forbidden", () => client.GetSecretAsync(name));
        Assert.Equal("old", (await client.GetSecretAsync(name, old.Properties.Version)).Value.Value);
    }

    [Fact]
    public async Task Names_differing_only_in_case_are_one_secret_that_keeps_the_case_given_at_creation()
    {
        var client = Server.SecretClient();
        var suffix = Guid.NewGuid().ToString("N");
        var created = $"Foo-{suffix}";
        var lower = created.ToLowerInvariant();
        var upper = created.ToUpperInvariant();

        var first = (await client.SetSecretAsync(created, "one")).Value;
        var second = (await client.SetSecretAsync(lower, "two")).Value;

        Assert.Equal(created, first.Name);
        Assert.Equal(created, second.Name);
        IsVersionedId(second.Properties, Server.VaultUri, created);
        var got = (await client.GetSecretAsync(upper)).Value;
        Assert.Equal("two", got.Value);
        Assert.Equal(created, got.Name);
        Assert.Equal("one", (await client.GetSecretAsync(lower, first.Properties.Version)).Value.Value);

        var versions = new List<SecretProperties>();
        await foreach (var v in client.GetPropertiesOfSecretVersionsAsync(upper))
        {
            versions.Add(v);
        }
        Assert.Equal(2, versions.Count);
        Assert.All(versions, v => Assert.Equal(created, v.Name));

        var listed = new List<SecretProperties>();
        await foreach (var item in client.GetPropertiesOfSecretsAsync())
        {
            if (string.Equals(item.Name, created, StringComparison.OrdinalIgnoreCase))
            {
                listed.Add(item);
            }
        }
        Assert.Equal(created, Assert.Single(listed).Name);

        var deleted = (await (await client.StartDeleteSecretAsync(upper)).WaitForCompletionAsync()).Value;
        Assert.Equal(created, deleted.Name);
        Assert.Equal(new Uri(Server.VaultUri, $"/deletedsecrets/{created}"), deleted.RecoveryId);
        await FailsWith(409, "Conflict", () => client.SetSecretAsync(lower, "three"));
        await client.PurgeDeletedSecretAsync(lower);
        await FailsWith(404, "SecretNotFound", () => client.GetDeletedSecretAsync(created));
    }
}
