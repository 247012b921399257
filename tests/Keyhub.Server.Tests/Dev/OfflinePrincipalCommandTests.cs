using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure;
using Keyhub.Server.Tests.Infrastructure;
using Keyhub.Server.Tests.Security;

namespace Keyhub.Server.Tests.Dev;

/// <summary>
/// <c>keyhub principal add|disable --data DIR</c> (the real executable) work on a stopped server's
/// folder, and what they change is what the next start enforces. The server runs in process here —
/// the same <c>KeyhubServer</c> the executable starts — to keep the restarts cheap.
/// </summary>
public sealed class OfflinePrincipalCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("keyhub-offline-cli-").FullName;

    private string Data => Path.Combine(_root, "data");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Principal_added_offline_gets_its_role_and_loses_access_once_disabled()
    {
        string tenantId;
        await using (var first = await StartAsync())
        {
            tenantId = first.Credentials.TenantId;
            await first.SecretClient().SetSecretAsync("offline-shared", "shared-value");
        }

        var added = await KeyhubProcess.RunAsync(
            "principal", "add", "--data", Data, "--name", "app", "--role", "Key Vault Secrets User", "--scope", "/vaults/hub");
        Assert.True(added.ExitCode == 0, added.Errors);
        using var json = JsonDocument.Parse(Assert.Single(added.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        var clientId = json.RootElement.GetProperty("clientId").GetString()!;
        var clientSecret = json.RootElement.GetProperty("clientSecret").GetString()!;
        Assert.True(Guid.TryParse(clientId, out _));
        Assert.True(Guid.TryParse(json.RootElement.GetProperty("objectId").GetString(), out _));

        // Keep the port from here on, so a token issued by this run has the issuer the next run expects.
        var port = FreePort.Next();
        string appToken;
        string adminToken;
        await using (var second = await StartAsync(port))
        {
            Assert.Equal(tenantId, second.Credentials.TenantId);
            Assert.Equal("shared-value", (await second.SecretClient().GetSecretAsync("offline-shared")).Value.Value);

            var app = second.SecretClient(clientId, clientSecret);
            Assert.Equal("shared-value", (await app.GetSecretAsync("offline-shared")).Value.Value);
            var denied = await Assert.ThrowsAsync<RequestFailedException>(() => app.SetSecretAsync("offline-shared", "overwritten"));
            Assert.Equal(403, denied.Status);
            Assert.Equal("Forbidden", denied.ErrorCode);

            appToken = await TokenRequests.AccessTokenAsync(second, clientId, clientSecret);
            adminToken = await TokenRequests.AccessTokenAsync(second, second.Credentials.ClientId, second.Credentials.ClientSecret);
        }

        var disabled = await KeyhubProcess.RunAsync("principal", "disable", "--data", Data, "--client-id", clientId);
        Assert.True(disabled.ExitCode == 0, disabled.Errors);
        using var state = JsonDocument.Parse(disabled.Output);
        Assert.False(state.RootElement.GetProperty("enabled").GetBoolean());

        await using (var third = await StartAsync(port))
        {
            // The control: a token from the previous run still works after a restart on the same address…
            Assert.Equal(HttpStatusCode.OK, await GetStatusAsync(third, adminToken));
            // …so this refusal is the disable taking effect.
            using (var http = third.HttpClient())
            using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/secrets/offline-shared?api-version=7.6", UriKind.Relative)))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", appToken);
                using var response = await http.SendAsync(request);
                await ErrorAssertions.AssertChallengeAsync(response, third);
            }
            using var refused = await TokenRequests.PostAsync(third, clientId, clientSecret);
            await TokenRequests.AssertOAuthErrorAsync(refused, HttpStatusCode.Unauthorized, "invalid_client");
            Assert.Equal("shared-value", (await third.SecretClient().GetSecretAsync("offline-shared")).Value.Value);
        }
    }

    [Theory]
    [InlineData("key vault secrets user", "/vaults/hub")]
    [InlineData("Key Vault Secrets User", "/vaults/hub/../")]
    public async Task Principal_add_with_an_inexact_role_or_bad_scope_fails_and_adds_no_principal(string role, string scope)
    {
        await using (await StartAsync())
        {
        }

        var result = await KeyhubProcess.RunAsync("principal", "add", "--data", Data, "--name", "inexact", "--role", role, "--scope", scope);

        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("clientSecret", result.Output, StringComparison.Ordinal);
        var list = await KeyhubProcess.RunAsync("principal", "list", "--data", Data);
        Assert.True(list.ExitCode == 0, list.Errors);
        Assert.DoesNotContain("\"inexact\"", list.Output, StringComparison.Ordinal);
    }

    private Task<KeyhubTestServer> StartAsync(int? port = null) => KeyhubTestServer.StartAsync(
        configure: port is { } p ? o => o with { Port = p } : null,
        dataDirectory: Data,
        keepDataDirectory: true);

    private static async Task<HttpStatusCode> GetStatusAsync(KeyhubTestServer server, string token)
    {
        using var http = server.HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.GetAsync(new Uri("/secrets/offline-shared?api-version=7.6", UriKind.Relative));
        return response.StatusCode;
    }
}
