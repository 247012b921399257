using System.Net;
using System.Text.Json;

namespace Keyhub.Server.Tests.Access;

/// <summary>One answer of Keyhub's management API as it came off the wire.</summary>
internal sealed record ManagementResponse(HttpStatusCode Status, string? MediaType, string Body, IReadOnlyDictionary<string, string> Headers, string Request)
{
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
    }

    /// <summary>Asserts <paramref name="expected"/> (200 unless told) and returns the JSON body (default for an empty one).</summary>
    public JsonElement Ok(HttpStatusCode expected = HttpStatusCode.OK)
    {
        Assert.True(Status == expected, $"Expected {(int)expected} from {Request}, got {(int)Status}: {Body}");
        return Body.Length == 0 ? default : Json;
    }

    /// <summary>
    /// Asserts an RFC 9457 problem: <paramref name="status"/>, <c>application/problem+json</c>, and the body
    /// <c>{type, title, status, detail, code}</c> with Keyhub's stable <paramref name="code"/>. Returns <c>detail</c>.
    /// </summary>
    public string Problem(HttpStatusCode status, string code)
    {
        Assert.True(Status == status, $"Expected {(int)status} {code} from {Request}, got {(int)Status}: {Body}");
        Assert.Equal("application/problem+json", MediaType);
        var json = Json;
        Assert.False(string.IsNullOrEmpty(json.GetProperty("type").GetString()), Body);
        Assert.False(string.IsNullOrEmpty(json.GetProperty("title").GetString()), Body);
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        Assert.Equal(code, json.GetProperty("code").GetString());
        var detail = json.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail), Body);
        Assert.DoesNotContain("   at ", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", detail, StringComparison.Ordinal);
        return detail!;
    }
}
