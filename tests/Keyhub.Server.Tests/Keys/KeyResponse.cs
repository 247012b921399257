using System.Net;
using System.Text.Json;

namespace Keyhub.Server.Tests.Keys;

/// <summary>One answer of the keys data plane as it came off the wire: status, media type and body text.</summary>
internal sealed record KeyResponse(HttpStatusCode Status, string? MediaType, string Body, Uri? RequestUri)
{
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
    }

    /// <summary>Asserts a 200 and returns the JSON body.</summary>
    public JsonElement Ok()
    {
        Assert.True(Status == HttpStatusCode.OK, $"Expected 200 from {RequestUri}, got {(int)Status}: {Body}");
        return Json;
    }

    /// <summary>
    /// Asserts Azure's error body <c>{"error":{"code","message","innererror"?:{"code"}}}</c> served as JSON with
    /// <paramref name="status"/>; returns <c>error.message</c>.
    /// </summary>
    public string Error(HttpStatusCode status, string code, string? innerCode = null)
    {
        Assert.True(Status == status, $"Expected {(int)status} {code} from {RequestUri}, got {(int)Status}: {Body}");
        Assert.Equal("application/json", MediaType);
        var error = Json.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        var message = error.GetProperty("message").GetString();
        Assert.False(string.IsNullOrWhiteSpace(message), Body);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
        if (innerCode is not null)
        {
            Assert.True(error.TryGetProperty("innererror", out var inner), $"No innererror in {Body}");
            Assert.Equal(innerCode, inner.GetProperty("code").GetString());
        }
        return message!;
    }
}
