using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure;
using Keyhub.Server.Tests.Security;

namespace Keyhub.Server.Tests.Access;

/// <summary>
/// A change to assignments, memberships or principals counts at the very next request, including requests
/// that carry a token issued before the change (caches are invalidated on change, not by timeout).
/// </summary>
[Collection(DataAccessCollection.Name)]
public sealed class RevocationTests(AccessServer fixture)
{
    [Fact]
    public async Task Removing_a_role_assignment_refuses_the_next_request_made_with_an_issued_token()
    {
        var secret = await HubSecretAsync();
        var principal = await fixture.CreatePrincipalAsync("revoke-assignment");
        var assignment = await fixture.AssignAsync(principal.ObjectId, "Key Vault Secrets User", "/vaults/hub");
        using var raw = await BearerClientAsync(principal);
        // The SDK client keeps the token it got on its first request and sends it again afterwards.
        var sdk = fixture.Server.SecretClient(principal.ClientId, principal.ClientSecret);
        Assert.Equal(HttpStatusCode.OK, (await GetSecretAsync(raw, secret)).StatusCode);
        Assert.Equal("revocable", (await sdk.GetSecretAsync(secret)).Value.Value);

        (await fixture.Admin.DeleteAsync($"/roleassignments/{assignment}")).Ok(HttpStatusCode.NoContent);

        await ErrorAssertions.AssertAzureErrorAsync(await GetSecretAsync(raw, secret), HttpStatusCode.Forbidden, "Forbidden");
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => sdk.GetSecretAsync(secret));
        Assert.Equal(403, error.Status);
        Assert.Equal("Forbidden", error.ErrorCode);
        (await fixture.Admin.DeleteAsync($"/roleassignments/{assignment}")).Problem(HttpStatusCode.NotFound, "RoleAssignmentNotFound");
    }

    [Fact]
    public async Task Removing_a_member_from_a_group_refuses_the_next_request_made_with_an_issued_token()
    {
        var secret = await HubSecretAsync();
        var group = await fixture.CreateGroupAsync("revoke-group");
        await fixture.AssignAsync(group, "Key Vault Secrets User", "/vaults/hub");
        var principal = await fixture.CreatePrincipalAsync("revoke-member");
        await fixture.AddMemberAsync(group, principal.ObjectId);
        using var raw = await BearerClientAsync(principal);
        Assert.Equal(HttpStatusCode.OK, (await GetSecretAsync(raw, secret)).StatusCode);

        var after = (await fixture.Admin.DeleteAsync($"/groups/{group}/members/{principal.ObjectId}")).Ok();
        Assert.Empty(after.GetProperty("members").EnumerateArray());

        await ErrorAssertions.AssertAzureErrorAsync(await GetSecretAsync(raw, secret), HttpStatusCode.Forbidden, "Forbidden");
    }

    [Fact]
    public async Task Disabling_a_principal_refuses_its_issued_token_with_401_until_it_is_enabled_again()
    {
        var secret = await HubSecretAsync();
        var principal = await fixture.CreatePrincipalAsync("revoke-disable");
        await fixture.AssignAsync(principal.ObjectId, "Key Vault Secrets User", "/vaults/hub");
        using var raw = await BearerClientAsync(principal);
        Assert.Equal(HttpStatusCode.OK, (await GetSecretAsync(raw, secret)).StatusCode);

        var disabled = (await fixture.Admin.PatchAsync($"/principals/{principal.ClientId}", new JsonObject { ["enabled"] = false })).Ok();
        Assert.False(disabled.GetProperty("enabled").GetBoolean());

        using (var refused = await GetSecretAsync(raw, secret))
        {
            await ErrorAssertions.AssertChallengeAsync(refused, fixture.Server);
        }
        // Its management calls are refused the same way, and it gets no new token.
        var management = await raw.GetAsync(new Uri("/keyhub/v1/vaults", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, management.StatusCode);
        using (var token = await TokenRequests.PostAsync(fixture.Server, principal.ClientId, principal.ClientSecret))
        {
            await TokenRequests.AssertOAuthErrorAsync(token, HttpStatusCode.Unauthorized, "invalid_client");
        }

        (await fixture.Admin.PatchAsync($"/principals/{principal.ClientId}", new JsonObject { ["enabled"] = true })).Ok();
        Assert.Equal(HttpStatusCode.OK, (await GetSecretAsync(raw, secret)).StatusCode);
    }

    private async Task<string> HubSecretAsync()
    {
        var name = $"revocable-{Guid.NewGuid():N}";
        await (await fixture.HubAdminAsync()).Secrets.SetSecretAsync(name, "revocable");
        return name;
    }

    private async Task<HttpClient> BearerClientAsync(TestPrincipal principal)
    {
        var token = await TokenRequests.AccessTokenAsync(fixture.Server, principal.ClientId, principal.ClientSecret);
        var http = fixture.Server.HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static Task<HttpResponseMessage> GetSecretAsync(HttpClient http, string name) =>
        http.GetAsync(new Uri($"/secrets/{name}?api-version=7.6", UriKind.Relative));
}
