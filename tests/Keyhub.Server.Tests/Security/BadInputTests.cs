using System.Net;
using System.Text;
using System.Text.Json;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Security;

/// <summary>
/// Bad input from an authenticated caller: each defect gets Azure's error body with the right status
/// (never a 200 or a 500), the message never echoes the input, and nothing stored changes — a
/// canary secret reads back byte for byte the same, and no new name appears.
/// </summary>
[Collection(SecurityServerCollection.Name)]
public sealed class BadInputTests(SecurityServer fixture)
{
    private const string Canary = "bad-input-canary";
    private const string Marker = "leak-marker-7d1f3c";

    public static TheoryData<string> MalformedBodies => new()
    {
        $$$"""{"value":"{{{Marker}}}" """,
        $$$"""{"value":"{{{Marker}}}",}""",
        $$$"""{'value':'{{{Marker}}}'}""",
        Marker,
        $$$"""["{{{Marker}}}"]""",
        $$$""" "{{{Marker}}}" """,
        """{"value":42}""",
        """{"value":null}""",
        """{}""",
        $$$"""{"value":"{{{Marker}}}","attributes":"enabled"}""",
        $$$"""{"value":"{{{Marker}}}","attributes":{"enabled":"yes"}}""",
        $$$"""{"value":"{{{Marker}}}","attributes":{"exp":"tomorrow"}}""",
        $$$"""{"value":"{{{Marker}}}","attributes":{"nbf":-1}}""",
        $$$"""{"value":"{{{Marker}}}","attributes":{"exp":1e400}}""",
        $$$"""{"value":"{{{Marker}}}","tags":{"a":1}}""",
        $$$"""{"value":"{{{Marker}}}","tags":["a"]}""",
        $$$"""{"value":"{{{Marker}}}","tags":{"":"empty name"}}""",
        $$$"""{"value":"{{{Marker}}}","contentType":7}""",
        $$$"""{"value":"{{{Marker}}}","contentType":"{{{new string('c', 256)}}}"}""",
        $$$"""{"value":"{{{Marker}}}\ud800"}""",
        $$$"""{"value":"{{{Marker}}}","tags":{"\udc00":"lone low surrogate in a tag name"}}""",
        $$$"""{"value":"{{{Marker}}}\u0000"}""" + "\u0000",
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_set_body_is_refused_with_BadParameter_and_changes_nothing(string body)
    {
        await AssertNothingChangesAsync(async http =>
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PutAsync(SecretUri(Canary), content);
            var error = await ErrorAssertions.AssertAzureErrorAsync(response, HttpStatusCode.BadRequest, "BadParameter");
            Assert.DoesNotContain(Marker, error, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Body_that_is_not_utf8_is_refused_with_BadParameter()
    {
        await AssertNothingChangesAsync(async http =>
        {
            byte[] body = [.. Encoding.ASCII.GetBytes("{\"value\":\""), 0xC3, 0x28, 0xFF, .. Encoding.ASCII.GetBytes("\"}")];
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var response = await http.PutAsync(SecretUri(Canary), content);
            await ErrorAssertions.AssertAzureErrorAsync(response, HttpStatusCode.BadRequest, "BadParameter");
        });
    }

    [Fact]
    public async Task Too_many_tags_are_refused()
    {
        var tags = string.Join(",", Enumerable.Range(0, 16).Select(i => $"\"t{i}\":\"v\""));
        await AssertNothingChangesAsync(async http =>
        {
            using var content = Json("{\"value\":\"x\",\"tags\":{" + tags + "}}");
            using var response = await http.PutAsync(SecretUri(Canary), content);
            await ErrorAssertions.AssertAzureErrorAsync(response, HttpStatusCode.BadRequest, "BadParameter");
        });
    }

    [Fact]
    public async Task Malformed_update_body_is_refused_and_changes_nothing()
    {
        await AssertNothingChangesAsync(async http =>
        {
            foreach (var body in new[] { "{\"tags\":", "[]", "{\"value\":\"new value\"}", "{\"attributes\":{\"enabled\":1}}" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Patch, SecretUri(Canary)) { Content = Json(body) };
                using var response = await http.SendAsync(request);
                await ErrorAssertions.AssertAzureErrorAsync(response, HttpStatusCode.BadRequest, "BadParameter");
            }
        });
    }

    [Fact]
    public async Task Value_of_exactly_25600_utf8_bytes_is_accepted_and_one_byte_more_is_refused()
    {
        using var http = await fixture.AdminHttpClientAsync();
        const string Name = "size-limit";

        foreach (var accepted in new[] { new string('a', 25_600), new string('é', 12_800), string.Concat(Enumerable.Repeat("😀", 6_400)) })
        {
            Assert.Equal(25_600, Encoding.UTF8.GetByteCount(accepted));
            using var response = await http.PutAsync(SecretUri(Name), Json(JsonSerializer.Serialize(new { value = accepted })));
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }
        var before = await http.GetStringAsync(SecretUri(Name));

        foreach (var refused in new[] { new string('a', 25_601), new string('é', 12_800) + "a", new string('é', 25_600), string.Concat(Enumerable.Repeat("😀", 6_401)) })
        {
            using var response = await http.PutAsync(SecretUri(Name), Json(JsonSerializer.Serialize(new { value = refused })));
            var error = await ErrorAssertions.AssertAzureErrorAsync(response, HttpStatusCode.BadRequest, "BadParameter");
            Assert.DoesNotContain(refused[..64], error, StringComparison.Ordinal);
        }
        Assert.Equal(before, await http.GetStringAsync(SecretUri(Name)));
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("a_b")]
    [InlineData("a%20b")]
    [InlineData("%2e%2e")]
    [InlineData("%2E%2E")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("%2e")]
    [InlineData("a%2Fb")]
    [InlineData("a%2fb")]
    [InlineData("..%2F" + Canary)]
    [InlineData("a%5Cb")]
    [InlineData("%C3%A9t%C3%A9")]
    [InlineData("*")]
    [InlineData("128")]
    public async Task Invalid_secret_name_is_refused_on_every_operation_and_creates_nothing(string name)
    {
        if (name == "128")
        {
            name = new string('n', 128);
        }
        await AssertNothingChangesAsync(async http =>
        {
            var operations = new (HttpMethod Method, string Path, bool Body)[]
            {
                (HttpMethod.Get, $"/secrets/{name}", false),
                (HttpMethod.Put, $"/secrets/{name}", true),
                (HttpMethod.Patch, $"/secrets/{name}", true),
                (HttpMethod.Delete, $"/secrets/{name}", false),
                (HttpMethod.Get, $"/secrets/{name}/versions", false),
                (HttpMethod.Post, $"/secrets/{name}/backup", false),
                (HttpMethod.Get, $"/deletedsecrets/{name}", false),
                (HttpMethod.Delete, $"/deletedsecrets/{name}", false),
                (HttpMethod.Post, $"/deletedsecrets/{name}/recover", false),
            };
            foreach (var (method, path, body) in operations)
            {
                using var request = new HttpRequestMessage(method, RawUri(path + "?api-version=7.6"));
                if (body)
                {
                    request.Content = Json("""{"value":"must-not-be-stored","tags":{"t":"v"}}""");
                }
                using var response = await http.SendAsync(request);
                Assert.True(
                    response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound,
                    $"{method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                await ErrorAssertions.AssertAzureErrorAsync(response, response.StatusCode);
            }
        });
    }

    [Fact]
    public async Task Name_with_an_encoded_nul_is_refused_and_creates_nothing()
    {
        // Kestrel itself refuses %00 in a path before the application sees the request, so this 400
        // carries Kestrel's empty body rather than Azure's.
        await AssertNothingChangesAsync(async http =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, RawUri("/secrets/a%00b?api-version=7.6"))
            {
                Content = Json("""{"value":"must-not-be-stored"}"""),
            };
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        });
    }

    [Fact]
    public async Task Name_of_127_characters_is_accepted()
    {
        using var http = await fixture.AdminHttpClientAsync();
        var name = new string('m', 126) + "1";
        using var response = await http.PutAsync(SecretUri(name), Json("""{"value":"long name"}"""));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("?api-version=7.7")]
    [InlineData("?api-version=1.0")]
    [InlineData("?api-version=2026-04-01-preview")]
    [InlineData("?api-version=")]
    [InlineData("?api-version=7.6&api-version=7.5")]
    [InlineData("")]
    [InlineData("?apiversion=7.6")]
    public async Task Unknown_or_missing_api_version_is_refused_and_changes_nothing(string query)
    {
        await AssertNothingChangesAsync(async http =>
        {
            using (var get = await http.GetAsync(RawUri($"/secrets/{Canary}{query}")))
            {
                await ErrorAssertions.AssertAzureErrorAsync(get, HttpStatusCode.BadRequest, "BadParameter");
            }
            using var put = await http.PutAsync(RawUri($"/secrets/{Canary}{query}"), Json("""{"value":"must-not-be-stored"}"""));
            await ErrorAssertions.AssertAzureErrorAsync(put, HttpStatusCode.BadRequest, "BadParameter");
        });
    }

    [Fact]
    public async Task Percent_encoded_api_version_name_is_accepted()
    {
        using var http = await fixture.AdminHttpClientAsync();
        await EnsureCanaryAsync(http);
        using var response = await http.GetAsync(RawUri($"/secrets/{Canary}?api%2Dversion=2026-04-01"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task Body_without_a_json_content_type_is_refused(string? contentType)
    {
        await AssertNothingChangesAsync(async http =>
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"value":"must-not-be-stored"}"""));
            if (contentType is not null)
            {
                content.Headers.ContentType = new(contentType);
            }
            using var response = await http.PutAsync(SecretUri(Canary), content);
            await ErrorAssertions.AssertAzureErrorAsync(response, HttpStatusCode.BadRequest, "BadParameter");
        });
    }

    [Theory]
    [InlineData("arrays-in-tags")]
    [InlineData("objects-in-attributes")]
    [InlineData("top-level-arrays")]
    public async Task Json_nested_100_deep_is_refused(string shape)
    {
        const int Depth = 100;
        var body = shape switch
        {
            "arrays-in-tags" => """{"value":"x","tags":{"t":""" + new string('[', Depth - 2) + new string(']', Depth - 2) + "}}",
            "objects-in-attributes" => """{"value":"x","attributes":""" + string.Concat(Enumerable.Repeat("""{"a":""", Depth - 1)) + "1" + new string('}', Depth - 1) + "}",
            _ => new string('[', Depth) + new string(']', Depth),
        };
        await AssertNothingChangesAsync(async http =>
        {
            using var response = await http.PutAsync(SecretUri(Canary), Json(body));
            await ErrorAssertions.AssertAzureErrorAsync(response, HttpStatusCode.BadRequest, "BadParameter");
        });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Body_over_256_KiB_is_refused_as_too_large(bool withContentLength)
    {
        var body = Encoding.UTF8.GetBytes("{\"value\":\"" + new string('z', 300 * 1024) + "\"}");
        await AssertNothingChangesAsync(async http =>
        {
            HttpContent content = withContentLength ? new ByteArrayContent(body) : new UnknownLengthContent(body);
            using (content)
            {
                content.Headers.ContentType = new("application/json");
                using var response = await http.PutAsync(SecretUri(Canary), content);
                Assert.True(
                    response.StatusCode is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.BadRequest,
                    $"Answered {(int)response.StatusCode}.");
                var error = await ErrorAssertions.AssertAzureErrorAsync(response, response.StatusCode);
                Assert.DoesNotContain("zzzzzzzz", error, StringComparison.Ordinal);
            }
        });
    }

    [Theory]
    [InlineData("/secrets", "0")]
    [InlineData("/secrets", "26")]
    [InlineData("/secrets", "-1")]
    [InlineData("/secrets", "abc")]
    [InlineData("/secrets", "1.5")]
    [InlineData("/secrets", "")]
    [InlineData("/secrets", "99999999999999999999")]
    [InlineData("/secrets/" + Canary + "/versions", "0")]
    [InlineData("/secrets/" + Canary + "/versions", "26")]
    [InlineData("/deletedsecrets", "0")]
    [InlineData("/deletedsecrets", "26")]
    public async Task Page_size_outside_1_to_25_is_refused(string path, string maxResults)
    {
        using var http = await fixture.AdminHttpClientAsync();
        await EnsureCanaryAsync(http);
        using var response = await http.GetAsync(RawUri($"{path}?api-version=7.6&maxresults={maxResults}"));
        await ErrorAssertions.AssertAzureErrorAsync(response, HttpStatusCode.BadRequest, "BadParameter");
    }

    [Theory]
    [InlineData("1")]
    [InlineData("25")]
    public async Task Page_size_of_1_or_25_is_accepted(string maxResults)
    {
        using var http = await fixture.AdminHttpClientAsync();
        await EnsureCanaryAsync(http);
        using var response = await http.GetAsync(RawUri($"/secrets?api-version=7.6&maxresults={maxResults}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.InRange(page.RootElement.GetProperty("value").GetArrayLength(), 1, int.Parse(maxResults, System.Globalization.CultureInfo.InvariantCulture));
    }

    private Uri SecretUri(string name) => RawUri($"/secrets/{name}?api-version=7.6");

    /// <summary>An absolute URI sent exactly as written: no dot-segment removal, no unescaping.</summary>
    private Uri RawUri(string pathAndQuery) =>
        new($"https://localhost:{fixture.Server.Port}{pathAndQuery}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task EnsureCanaryAsync(HttpClient http)
    {
        using var probe = await http.GetAsync(SecretUri(Canary));
        if (probe.StatusCode == HttpStatusCode.NotFound)
        {
            using var set = await http.PutAsync(SecretUri(Canary), Json("""{"value":"canary-value","contentType":"text/plain","tags":{"kind":"canary"}}"""));
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }
    }

    /// <summary>Runs <paramref name="attack"/> and checks that the canary and the set of names are exactly as before.</summary>
    private async Task AssertNothingChangesAsync(Func<HttpClient, Task> attack)
    {
        using var http = await fixture.AdminHttpClientAsync();
        await EnsureCanaryAsync(http);
        var canaryBefore = await http.GetStringAsync(SecretUri(Canary));
        var versionsBefore = await http.GetStringAsync(RawUri($"/secrets/{Canary}/versions?api-version=7.6"));
        var namesBefore = await ListNamesAsync(http, "/secrets");
        var deletedBefore = await ListNamesAsync(http, "/deletedsecrets");

        await attack(http);

        Assert.Equal(canaryBefore, await http.GetStringAsync(SecretUri(Canary)));
        Assert.Equal(versionsBefore, await http.GetStringAsync(RawUri($"/secrets/{Canary}/versions?api-version=7.6")));
        Assert.Equal(namesBefore, await ListNamesAsync(http, "/secrets"));
        Assert.Equal(deletedBefore, await ListNamesAsync(http, "/deletedsecrets"));
    }

    private async Task<List<string>> ListNamesAsync(HttpClient http, string path)
    {
        var ids = new List<string>();
        Uri? next = RawUri(path + "?api-version=7.6");
        while (next is not null)
        {
            using var page = JsonDocument.Parse(await http.GetStringAsync(next));
            ids.AddRange(page.RootElement.GetProperty("value").EnumerateArray().Select(item => item.GetProperty(path == "/secrets" ? "id" : "recoveryId").GetString()!));
            next = page.RootElement.TryGetProperty("nextLink", out var link) && link.ValueKind == JsonValueKind.String ? new Uri(link.GetString()!) : null;
        }
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    /// <summary>Content of unknown length, so it goes out chunked and the server cannot refuse it by its Content-Length.</summary>
    private sealed class UnknownLengthContent(byte[] body) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
