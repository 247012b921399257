using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Secrets;

/// <summary>Names, shape checks and error helpers shared by the secrets end-to-end tests.</summary>
internal static class SecretAssertions
{
    /// <summary>A name no other test (or earlier run against the same shared server) uses.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>A secret version id as Azure makes them: 32 lowercase hex characters.</summary>
    public static void IsVersionId(string? version)
    {
        Assert.NotNull(version);
        Assert.Matches("^[0-9a-f]{32}$", version);
    }

    /// <summary>A versioned SecretBundle id: <c>{vault}/secrets/{name}/{version}</c>, parsed back by the SDK into the same parts.</summary>
    public static void IsVersionedId(SecretProperties properties, Uri vaultUri, string name)
    {
        Assert.Equal(name, properties.Name);
        IsVersionId(properties.Version);
        Assert.Equal(vaultUri, properties.VaultUri);
        Assert.Equal(new Uri(vaultUri, $"/secrets/{name}/{properties.Version}"), properties.Id);
    }

    /// <summary>A list item id: <c>{vault}/secrets/{name}</c> without version.</summary>
    public static void IsVersionlessId(SecretProperties properties, Uri vaultUri, string name)
    {
        Assert.Equal(name, properties.Name);
        Assert.Null(properties.Version);
        Assert.Equal(vaultUri, properties.VaultUri);
        Assert.Equal(new Uri(vaultUri, $"/secrets/{name}"), properties.Id);
    }

    /// <summary>Awaits a call that must fail with the given status and Azure error code.</summary>
    public static async Task<RequestFailedException> FailsWith(int status, string errorCode, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(call);
        Assert.Equal(status, error.Status);
        Assert.Equal(errorCode, error.ErrorCode);
        return error;
    }

    /// <summary>The <c>error.innererror.code</c> of a failed response, if any.</summary>
    public static string? InnerErrorCode(RequestFailedException error)
    {
        var response = error.GetRawResponse();
        Assert.NotNull(response);
        using var body = JsonDocument.Parse(response.Content.ToString());
        return body.RootElement.GetProperty("error").TryGetProperty("innererror", out var inner)
            ? inner.GetProperty("code").GetString()
            : null;
    }

    /// <summary>The <c>error.message</c> of a failed response.</summary>
    public static string ErrorMessage(RequestFailedException error)
    {
        var response = error.GetRawResponse();
        Assert.NotNull(response);
        using var body = JsonDocument.Parse(response.Content.ToString());
        return body.RootElement.GetProperty("error").GetProperty("message").GetString() ?? "";
    }

    /// <summary>An HttpClient for raw requests to the server's hub vault, with the admin's bearer token.</summary>
    public static async Task<HttpClient> AuthorizedHttpClientAsync(this KeyhubTestServer server)
    {
        var token = await server.Credential().GetTokenAsync(new TokenRequestContext(["https://localhost/.default"]), CancellationToken.None);
        var http = server.HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return http;
    }

    /// <summary>Drops the sub-second part, as the wire carries Unix seconds.</summary>
    public static DateTimeOffset Seconds(DateTimeOffset value) => DateTimeOffset.FromUnixTimeSeconds(value.ToUnixTimeSeconds());
}

/// <summary>A pipeline policy that records every request the SDK sends (method and full URI).</summary>
internal sealed class RequestRecorder : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentQueue<(string Method, Uri Uri)> _requests = new();

    public IReadOnlyCollection<(string Method, Uri Uri)> Requests => _requests;

    public override void OnSendingRequest(HttpMessage message) =>
        _requests.Enqueue((message.Request.Method.ToString(), message.Request.Uri.ToUri()));
}
