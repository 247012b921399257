using System.Net;
using System.Text.Json;
using Azure.Security.KeyVault.Secrets;
using Keyhub.Server.Tests.Infrastructure;
using static Keyhub.Server.Tests.Secrets.SecretAssertions;

namespace Keyhub.Server.Tests.Secrets;

/// <summary>Set, get (latest and by version), update and list with the official SecretClient.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class SecretLifecycleTests(SharedServer shared)
{
    private KeyhubTestServer Server => shared.Server;

    [Fact]
    public async Task Set_secret_with_properties_returns_them_and_get_reads_them_back()
    {
        var client = Server.SecretClient();
        var name = UniqueName("props");
        var notBefore = Seconds(DateTimeOffset.UtcNow.AddMinutes(-5));
        var expires = Seconds(DateTimeOffset.UtcNow.AddDays(30));
        var secret = new KeyVaultSecret(name, "p@ss w0rd ✓")
        {
            Properties =
            {
                ContentType = "text/plain; charset=utf-8",
                Enabled = true,
                NotBefore = notBefore,
                ExpiresOn = expires,
                Tags = { ["env"] = "test", ["owner"] = "team-a" },
            },
        };
        var before = Seconds(DateTimeOffset.UtcNow);

        var set = (await client.SetSecretAsync(secret)).Value;

        Assert.Equal("p@ss w0rd ✓", set.Value);
        IsVersionedId(set.Properties, Server.VaultUri, name);
        Assert.Equal(set.Id, set.Properties.Id);
        AssertProperties(set.Properties);
        Assert.InRange(set.Properties.CreatedOn!.Value, before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(set.Properties.CreatedOn, set.Properties.UpdatedOn);

        var got = (await client.GetSecretAsync(name)).Value;

        Assert.Equal("p@ss w0rd ✓", got.Value);
        IsVersionedId(got.Properties, Server.VaultUri, name);
        Assert.Equal(set.Properties.Version, got.Properties.Version);
        Assert.Equal(set.Properties.CreatedOn, got.Properties.CreatedOn);
        AssertProperties(got.Properties);

        void AssertProperties(SecretProperties p)
        {
            Assert.Equal("text/plain; charset=utf-8", p.ContentType);
            Assert.True(p.Enabled);
            Assert.Equal(notBefore, p.NotBefore);
            Assert.Equal(expires, p.ExpiresOn);
            Assert.Equal(new Dictionary<string, string> { ["env"] = "test", ["owner"] = "team-a" }, p.Tags);
            Assert.Equal(90, p.RecoverableDays);
            Assert.Equal("Recoverable+Purgeable", p.RecoveryLevel);
            Assert.False(p.Managed);
            Assert.Null(p.KeyId);
        }
    }

    [Fact]
    public async Task Set_secret_without_properties_is_enabled_with_no_validity_window_tags_or_content_type()
    {
        var client = Server.SecretClient();
        var name = UniqueName("plain");

        var set = (await client.SetSecretAsync(name, "v")).Value;

        Assert.True(set.Properties.Enabled);
        Assert.Null(set.Properties.NotBefore);
        Assert.Null(set.Properties.ExpiresOn);
        Assert.Null(set.Properties.ContentType);
        Assert.Empty(set.Properties.Tags);
        Assert.NotNull(set.Properties.CreatedOn);
        Assert.NotNull(set.Properties.UpdatedOn);
    }

    [Fact]
    public async Task Each_set_adds_a_version_and_get_by_version_returns_that_version()
    {
        var client = Server.SecretClient();
        var name = UniqueName("versions");

        var first = (await client.SetSecretAsync(new KeyVaultSecret(name, "one") { Properties = { ContentType = "first" } })).Value;
        var second = (await client.SetSecretAsync(name, "two")).Value;

        Assert.NotEqual(first.Properties.Version, second.Properties.Version);
        var latest = (await client.GetSecretAsync(name)).Value;
        Assert.Equal("two", latest.Value);
        Assert.Equal(second.Properties.Version, latest.Properties.Version);
        Assert.Null(latest.Properties.ContentType);

        var old = (await client.GetSecretAsync(name, first.Properties.Version)).Value;
        Assert.Equal("one", old.Value);
        Assert.Equal("first", old.Properties.ContentType);
        IsVersionedId(old.Properties, Server.VaultUri, name);
        Assert.Equal(first.Properties.Version, old.Properties.Version);
    }

    [Fact]
    public async Task Concurrent_sets_of_one_secret_each_add_a_distinct_version()
    {
        var client = Server.SecretClient();
        var name = UniqueName("concurrent");
        await client.SetSecretAsync(name, "initial");

        var sets = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => client.SetSecretAsync(name, $"value-{i}")));

        var written = sets.Select(s => s.Value.Properties.Version).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(16, written.Count);
        var listed = new List<string>();
        await foreach (var v in client.GetPropertiesOfSecretVersionsAsync(name))
        {
            listed.Add(v.Version);
        }
        Assert.Equal(17, listed.Count);
        Assert.Superset(written, listed.ToHashSet(StringComparer.Ordinal));
        var latest = (await client.GetSecretAsync(name)).Value;
        Assert.Contains(latest.Properties.Version, written);
        Assert.Equal(sets.Single(s => s.Value.Properties.Version == latest.Properties.Version).Value.Value, latest.Value);
    }

    [Fact]
    public async Task Update_secret_properties_changes_one_versions_metadata_but_not_its_value()
    {
        var client = Server.SecretClient();
        var name = UniqueName("update");
        var first = (await client.SetSecretAsync(new KeyVaultSecret(name, "one") { Properties = { ContentType = "a", Tags = { ["k"] = "1" } } })).Value;
        var second = (await client.SetSecretAsync(new KeyVaultSecret(name, "two") { Properties = { ContentType = "a", Tags = { ["k"] = "1" } } })).Value;
        var notBefore = Seconds(DateTimeOffset.UtcNow.AddHours(-1));
        var expires = Seconds(DateTimeOffset.UtcNow.AddDays(7));

        var properties = first.Properties;
        properties.ContentType = "application/json";
        properties.Tags.Clear();
        properties.Tags["k"] = "2";
        properties.Tags["new"] = "yes";
        properties.NotBefore = notBefore;
        properties.ExpiresOn = expires;
        var updated = (await client.UpdateSecretPropertiesAsync(properties)).Value;

        IsVersionedId(updated, Server.VaultUri, name);
        Assert.Equal(first.Properties.Version, updated.Version);
        Assert.Equal("application/json", updated.ContentType);
        Assert.Equal(new Dictionary<string, string> { ["k"] = "2", ["new"] = "yes" }, updated.Tags);
        Assert.Equal(notBefore, updated.NotBefore);
        Assert.Equal(expires, updated.ExpiresOn);
        Assert.True(updated.Enabled);
        Assert.Equal(first.Properties.CreatedOn, updated.CreatedOn);
        Assert.True(updated.UpdatedOn >= first.Properties.UpdatedOn);

        var reread = (await client.GetSecretAsync(name, first.Properties.Version)).Value;
        Assert.Equal("one", reread.Value);
        Assert.Equal("application/json", reread.Properties.ContentType);
        Assert.Equal(new Dictionary<string, string> { ["k"] = "2", ["new"] = "yes" }, reread.Properties.Tags);

        var untouched = (await client.GetSecretAsync(name, second.Properties.Version)).Value;
        Assert.Equal("two", untouched.Value);
        Assert.Equal("a", untouched.Properties.ContentType);
        Assert.Equal(new Dictionary<string, string> { ["k"] = "1" }, untouched.Properties.Tags);
        Assert.Null(untouched.Properties.ExpiresOn);
    }

    [Fact]
    public async Task A_secret_outside_its_validity_window_still_reads_because_nbf_and_exp_are_informational()
    {
        var client = Server.SecretClient();
        var notYet = UniqueName("not-yet");
        var expired = UniqueName("expired");
        await client.SetSecretAsync(new KeyVaultSecret(notYet, "future") { Properties = { NotBefore = DateTimeOffset.UtcNow.AddDays(1) } });
        await client.SetSecretAsync(new KeyVaultSecret(expired, "past") { Properties = { ExpiresOn = DateTimeOffset.UtcNow.AddDays(-1) } });

        Assert.Equal("future", (await client.GetSecretAsync(notYet)).Value.Value);
        Assert.Equal("past", (await client.GetSecretAsync(expired)).Value.Value);
    }

    [Fact]
    public async Task Listing_secrets_shows_each_once_with_its_latest_properties_and_no_value()
    {
        var client = Server.SecretClient();
        var name = UniqueName("listed");
        await client.SetSecretAsync(new KeyVaultSecret(name, "one") { Properties = { ContentType = "old" } });
        await client.SetSecretAsync(new KeyVaultSecret(name, "two") { Properties = { ContentType = "new", Tags = { ["t"] = "v" } } });

        var found = new List<SecretProperties>();
        await foreach (var item in client.GetPropertiesOfSecretsAsync())
        {
            if (item.Name == name)
            {
                found.Add(item);
            }
        }

        var listed = Assert.Single(found);
        IsVersionlessId(listed, Server.VaultUri, name);
        Assert.Equal("new", listed.ContentType);
        Assert.Equal(new Dictionary<string, string> { ["t"] = "v" }, listed.Tags);
        Assert.True(listed.Enabled);
        Assert.NotNull(listed.CreatedOn);
        Assert.Equal(90, listed.RecoverableDays);
        Assert.Equal("Recoverable+Purgeable", listed.RecoveryLevel);
    }

    [Fact]
    public async Task Listing_versions_shows_every_version_with_its_own_properties()
    {
        var client = Server.SecretClient();
        var name = UniqueName("listed-versions");
        var one = (await client.SetSecretAsync(new KeyVaultSecret(name, "one") { Properties = { ContentType = "c1", Enabled = false } })).Value;
        var two = (await client.SetSecretAsync(new KeyVaultSecret(name, "two") { Properties = { ContentType = "c2", Tags = { ["n"] = "2" } } })).Value;

        var versions = new List<SecretProperties>();
        await foreach (var item in client.GetPropertiesOfSecretVersionsAsync(name))
        {
            versions.Add(item);
        }

        Assert.Equal(2, versions.Count);
        foreach (var version in versions)
        {
            IsVersionedId(version, Server.VaultUri, name);
        }
        var listedOne = Assert.Single(versions, v => v.Version == one.Properties.Version);
        Assert.Equal("c1", listedOne.ContentType);
        Assert.False(listedOne.Enabled);
        var listedTwo = Assert.Single(versions, v => v.Version == two.Properties.Version);
        Assert.Equal("c2", listedTwo.ContentType);
        Assert.True(listedTwo.Enabled);
        Assert.Equal(new Dictionary<string, string> { ["n"] = "2" }, listedTwo.Tags);
    }

    [Fact]
    public async Task Get_with_a_trailing_slash_reads_the_latest_version_as_older_clients_and_javascript_send_it()
    {
        var client = Server.SecretClient();
        var name = UniqueName("slash");
        await client.SetSecretAsync(name, "one");
        var latest = (await client.SetSecretAsync(name, "two")).Value;
        using var http = await Server.AuthorizedHttpClientAsync();

        using var response = await http.GetAsync(new Uri($"/secrets/{name}/?api-version=7.0", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("two", body.RootElement.GetProperty("value").GetString());
        Assert.Equal(latest.Id.ToString(), body.RootElement.GetProperty("id").GetString());
    }
}
