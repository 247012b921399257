using System.Net;
using System.Text.Json;
using System.Web;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using Keyhub.Server.Tests.Infrastructure;
using static Keyhub.Server.Tests.Secrets.SecretAssertions;

namespace Keyhub.Server.Tests.Secrets;

/// <summary>Every api-version the official client offers works; the parameter is read as the SDKs send it (wire.md §0).</summary>
[Collection(SharedServerCollection.Name)]
public sealed class SecretApiVersionTests(SharedServer shared)
{
    private KeyhubTestServer Server => shared.Server;

    public static TheoryData<SecretClientOptions.ServiceVersion> EveryClientVersion => new(Enum.GetValues<SecretClientOptions.ServiceVersion>());

    [Theory]
    [MemberData(nameof(EveryClientVersion))]
    public async Task Every_api_version_the_client_offers_sets_and_gets_a_secret(SecretClientOptions.ServiceVersion version)
    {
        var recorder = new RequestRecorder();
        var options = Server.SecretOptions(version);
        options.AddPolicy(recorder, HttpPipelinePosition.PerRetry);
        var client = new SecretClient(Server.VaultUri, Server.Credential(), options);
        var name = UniqueName("api-" + version.ToString().Replace('_', '-'));

        var set = (await client.SetSecretAsync(new KeyVaultSecret(name, "value") { Properties = { ContentType = "text/plain" } })).Value;
        var got = (await client.GetSecretAsync(name)).Value;
        var byVersion = (await client.GetSecretAsync(name, set.Properties.Version)).Value;

        Assert.Equal("value", got.Value);
        Assert.Equal("value", byVersion.Value);
        IsVersionedId(got.Properties, Server.VaultUri, name);
        Assert.Equal(set.Properties.Version, got.Properties.Version);
        Assert.Equal("text/plain", got.Properties.ContentType);
        var expected = WireString(version);
        var sent = recorder.Requests.Where(r => r.Uri.AbsolutePath.StartsWith("/secrets/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(sent);
        Assert.All(sent, r => Assert.Equal(expected, HttpUtility.ParseQueryString(r.Uri.Query)["api-version"]));
    }

    [Fact]
    public async Task The_percent_encoded_api_version_parameter_name_that_javascript_sends_is_accepted()
    {
        var name = UniqueName("encoded");
        await Server.SecretClient().SetSecretAsync(name, "v");
        using var http = await Server.AuthorizedHttpClientAsync();

        using var response = await http.GetAsync(new Uri($"/secrets/{name}/?api%2Dversion=2026-04-01", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("v", body.RootElement.GetProperty("value").GetString());
    }

    [Theory]
    [InlineData("?api-version=2016-10-01")]
    [InlineData("?api-version=7.7")]
    [InlineData("?api-version=2026-07-01-preview")]
    [InlineData("?api-version=")]
    [InlineData("?api-version=7.6&api-version=7.5")]
    [InlineData("")]
    public async Task An_api_version_the_client_does_not_offer_is_refused_with_400_BadParameter(string query)
    {
        var name = UniqueName("bad-version");
        await Server.SecretClient().SetSecretAsync(name, "v");
        using var http = await Server.AuthorizedHttpClientAsync();

        using var response = await http.GetAsync(new Uri($"/secrets/{name}{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("BadParameter", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.False(body.RootElement.TryGetProperty("value", out _));
    }

    [Fact]
    public async Task NextLink_is_absolute_and_carries_the_request_api_version_and_page_size()
    {
        var client = Server.SecretClient();
        for (var i = 0; i < 3; i++)
        {
            await client.SetSecretAsync(UniqueName("nextlink"), "v");
        }
        using var http = await Server.AuthorizedHttpClientAsync();

        using var response = await http.GetAsync(new Uri("/secrets?api-version=7.6&maxresults=2", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(2, body.RootElement.GetProperty("value").GetArrayLength());
        var nextLink = new Uri(body.RootElement.GetProperty("nextLink").GetString()!);
        Assert.True(nextLink.IsAbsoluteUri);
        Assert.Equal(Server.VaultUri.GetLeftPart(UriPartial.Authority), nextLink.GetLeftPart(UriPartial.Authority));
        Assert.Equal("/secrets", nextLink.AbsolutePath);
        var query = HttpUtility.ParseQueryString(nextLink.Query);
        Assert.Equal("7.6", query["api-version"]);
        Assert.Equal("2", query["maxresults"]);
        Assert.False(string.IsNullOrEmpty(query["$skiptoken"]));

        // Followed verbatim, as the JavaScript SDK does.
        using var next = await http.GetAsync(nextLink);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    private static string WireString(SecretClientOptions.ServiceVersion version) => version switch
    {
        SecretClientOptions.ServiceVersion.V7_0 => "7.0",
        SecretClientOptions.ServiceVersion.V7_1 => "7.1",
        SecretClientOptions.ServiceVersion.V7_2 => "7.2",
        SecretClientOptions.ServiceVersion.V7_3 => "7.3",
        SecretClientOptions.ServiceVersion.V7_4 => "7.4",
        SecretClientOptions.ServiceVersion.V7_5 => "7.5",
        SecretClientOptions.ServiceVersion.V7_6 => "7.6",
        SecretClientOptions.ServiceVersion.V2025_07_01 => "2025-07-01",
        SecretClientOptions.ServiceVersion.V2026_04_01 => "2026-04-01",
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "A service version this test does not know yet: add its wire string and make sure Keyhub accepts it."),
    };
}
