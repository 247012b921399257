using System.Net;
using System.Text.Json;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Security;

/// <summary>Checks of the two error shapes the data plane answers with: Azure's error body and the 401 challenge.</summary>
internal static class ErrorAssertions
{
    /// <summary>
    /// Asserts <c>{"error":{"code":"…","message":"…"}}</c> served as JSON with the given status, and that
    /// the message carries no stack trace. Returns the whole body for further checks.
    /// </summary>
    public static async Task<string> AssertAzureErrorAsync(HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        var error = document.RootElement.GetProperty("error");
        var actualCode = error.GetProperty("code").GetString();
        Assert.False(string.IsNullOrEmpty(actualCode));
        if (code is not null)
        {
            Assert.Equal(code, actualCode);
        }
        var message = error.GetProperty("message").GetString();
        Assert.False(string.IsNullOrEmpty(message));
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
        return body;
    }

    /// <summary>
    /// The exact challenge of wire.md §1.2: 401, <c>WWW-Authenticate: Bearer authorization="https://localhost:PORT/TENANT",
    /// resource="https://localhost"</c> and the Azure error body with code <c>Unauthorized</c>.
    /// </summary>
    public static async Task AssertChallengeAsync(HttpResponseMessage response, KeyhubTestServer server)
    {
        await AssertAzureErrorAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
        var challenge = Assert.Single(response.Headers.GetValues("WWW-Authenticate"));
        Assert.Equal(
            $"Bearer authorization=\"https://localhost:{server.Port}/{server.Credentials.TenantId}\", resource=\"https://localhost\"",
            challenge);
    }
}
