using System.Net;
using System.Text.Json;
using System.Web;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Keyhub.Server.Tests.Infrastructure;
using static Keyhub.Server.Tests.Secrets.SecretAssertions;

namespace Keyhub.Server.Tests.Secrets;

/// <summary>
/// Lists over more than one page (maxresults 1–25, default 25, absolute nextLink; wire.md §4.1).
/// Observed: SecretClient 4.12 does not send <c>maxresults</c> for a <c>pageSizeHint</c>, so the
/// official client always gets the server's default page size; <c>maxresults</c> itself is exercised
/// with raw requests that follow <c>nextLink</c> verbatim, as the JavaScript SDK does.
/// </summary>
[Collection(SharedServerCollection.Name)]
public sealed class SecretPagingTests(SharedServer shared)
{
    private KeyhubTestServer Server => shared.Server;

    [Fact]
    public async Task Listing_more_than_25_secrets_with_the_client_finds_every_secret_exactly_once_in_pages_of_25()
    {
        var client = Server.SecretClient();
        var created = await CreateSecretsAsync(client, UniqueName("page"), 30);

        foreach (var pageable in new[] { client.GetPropertiesOfSecretsAsync().AsPages(), client.GetPropertiesOfSecretsAsync().AsPages(pageSizeHint: 10) })
        {
            var pages = await CollectPagesAsync(pageable);

            Assert.True(pages.Count >= 2);
            AssertFullPages(pages, 25);
            var all = pages.SelectMany(p => p).ToList();
            Assert.Equal(all.Count, all.Select(p => p.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
            var ours = all.Where(p => created.Contains(p.Name)).ToList();
            Assert.Equal(created, ours.Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.All(ours, p => IsVersionlessId(p, Server.VaultUri, p.Name));
        }

        var flat = new List<string>();
        await foreach (var item in client.GetPropertiesOfSecretsAsync())
        {
            flat.Add(item.Name);
        }
        Assert.Equal(created, flat.Where(created.Contains).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Following_nextLink_with_maxresults_10_over_more_than_25_secrets_finds_every_secret_exactly_once()
    {
        var created = await CreateSecretsAsync(Server.SecretClient(), UniqueName("raw-page"), 30);
        using var http = await Server.AuthorizedHttpClientAsync();

        var pages = await FollowNextLinksAsync(http, "/secrets?api-version=2026-04-01&maxresults=10");

        Assert.True(pages.Count >= 3);
        AssertFullPages(pages, 10);
        var names = pages.SelectMany(p => p).Select(id => new Uri(id).Segments[2]).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(created, names.Where(created.Contains).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_listing_resumes_from_a_continuation_token_without_repeating_or_skipping()
    {
        var client = Server.SecretClient();
        await CreateSecretsAsync(client, UniqueName("resume"), 27);
        var whole = (await CollectPagesAsync(client.GetPropertiesOfSecretsAsync().AsPages())).SelectMany(p => p).Select(p => p.Name).ToList();

        Page<SecretProperties>? first = null;
        await foreach (var page in client.GetPropertiesOfSecretsAsync().AsPages())
        {
            first = page;
            break;
        }
        Assert.NotNull(first?.ContinuationToken);
        var rest = await CollectPagesAsync(client.GetPropertiesOfSecretsAsync().AsPages(first.ContinuationToken));

        Assert.Equal(whole, first.Values.Concat(rest.SelectMany(p => p)).Select(p => p.Name).ToList());
    }

    [Fact]
    public async Task Listing_27_versions_of_one_secret_in_pages_finds_every_version_exactly_once()
    {
        var client = Server.SecretClient();
        var name = UniqueName("many-versions");
        var versions = new List<string>();
        for (var i = 0; i < 27; i++)
        {
            versions.Add((await client.SetSecretAsync(name, $"value-{i}")).Value.Properties.Version);
        }
        var expected = versions.Order(StringComparer.Ordinal).ToList();
        using var http = await Server.AuthorizedHttpClientAsync();

        var byDefault = await CollectPagesAsync(client.GetPropertiesOfSecretVersionsAsync(name).AsPages());
        var byTen = await FollowNextLinksAsync(http, $"/secrets/{name}/versions?api-version=7.6&maxresults=10");

        Assert.Equal([25, 2], byDefault.Select(p => p.Count));
        var listed = byDefault.SelectMany(p => p).ToList();
        Assert.Equal(expected, listed.Select(p => p.Version).Order(StringComparer.Ordinal));
        Assert.All(listed, p => IsVersionedId(p, Server.VaultUri, name));
        Assert.Equal([10, 10, 7], byTen.Select(p => p.Count));
        Assert.Equal(expected, byTen.SelectMany(p => p).Select(id => new Uri(id).Segments[3]).Order(StringComparer.Ordinal));
        Assert.Equal("value-3", (await client.GetSecretAsync(name, versions[3])).Value.Value);
        Assert.Equal("value-26", (await client.GetSecretAsync(name)).Value.Value);
    }

    [Fact]
    public async Task Listing_more_than_25_deleted_secrets_in_pages_finds_every_one_exactly_once()
    {
        var client = Server.SecretClient();
        var created = await CreateSecretsAsync(client, UniqueName("deleted-page"), 27);
        foreach (var name in created)
        {
            await client.StartDeleteSecretAsync(name);
        }
        using var http = await Server.AuthorizedHttpClientAsync();

        var byClient = await CollectPagesAsync(client.GetDeletedSecretsAsync().AsPages());
        var byTen = await FollowNextLinksAsync(http, "/deletedsecrets?api-version=2025-07-01&maxresults=10");

        Assert.True(byClient.Count >= 2);
        AssertFullPages(byClient, 25);
        var all = byClient.SelectMany(p => p).ToList();
        Assert.Equal(all.Count, all.Select(d => d.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var ours = all.Where(d => created.Contains(d.Name)).ToList();
        Assert.Equal(created, ours.Select(d => d.Name).Order(StringComparer.Ordinal));
        Assert.All(ours, d => Assert.Equal(new Uri(Server.VaultUri, $"/deletedsecrets/{d.Name}"), d.RecoveryId));

        AssertFullPages(byTen, 10);
        var names = byTen.SelectMany(p => p).Select(id => new Uri(id).Segments[2]).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(created, names.Where(created.Contains).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("26")]
    [InlineData("-1")]
    [InlineData("ten")]
    public async Task A_page_size_outside_1_to_25_is_refused_with_400_BadParameter(string maxresults)
    {
        using var http = await Server.AuthorizedHttpClientAsync();

        using var response = await http.GetAsync(new Uri($"/secrets?api-version=2026-04-01&maxresults={maxresults}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("BadParameter", body.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    private static async Task<SortedSet<string>> CreateSecretsAsync(SecretClient client, string prefix, int count)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = $"{prefix}-{i:D2}";
            await client.SetSecretAsync(name, $"value-{i}");
            names.Add(name);
        }
        return names;
    }

    /// <summary>Pages of item ids, following each absolute nextLink exactly as returned.</summary>
    private static async Task<List<List<string>>> FollowNextLinksAsync(HttpClient http, string firstPage)
    {
        var pages = new List<List<string>>();
        var expectedMaxResults = HttpUtility.ParseQueryString(new Uri(http.BaseAddress!, firstPage).Query)["maxresults"];
        Uri? next = new(firstPage, UriKind.Relative);
        while (next is not null)
        {
            Assert.True(pages.Count < 1000, "nextLink never ended");
            using var response = await http.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            pages.Add([.. body.RootElement.GetProperty("value").EnumerateArray().Select(item => item.GetProperty("id").GetString()!)]);
            var link = body.RootElement.GetProperty("nextLink");
            if (link.ValueKind == JsonValueKind.Null)
            {
                next = null;
                continue;
            }
            next = new Uri(link.GetString()!, UriKind.Absolute);
            Assert.Equal(expectedMaxResults, HttpUtility.ParseQueryString(next.Query)["maxresults"]);
        }
        return pages;
    }

    private static async Task<List<List<T>>> CollectPagesAsync<T>(IAsyncEnumerable<Page<T>> pages)
        where T : notnull
    {
        var result = new List<List<T>>();
        await foreach (var page in pages)
        {
            result.Add([.. page.Values]);
        }
        return result;
    }

    /// <summary>Every page but the last is full; the last is not empty; no page is larger than the size.</summary>
    private static void AssertFullPages<T>(List<List<T>> pages, int size)
    {
        Assert.NotEmpty(pages);
        Assert.All(pages[..^1], p => Assert.Equal(size, p.Count));
        Assert.InRange(pages[^1].Count, 1, size);
    }
}
