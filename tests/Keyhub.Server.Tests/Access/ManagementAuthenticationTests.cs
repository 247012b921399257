using System.Net;
using System.Text.Json.Nodes;
using Keyhub.Server.Tests.Security;

namespace Keyhub.Server.Tests.Access;

/// <summary>
/// The management API takes the same tokens as the data plane and answers in problem details: no token → 401
/// with the Bearer challenge; a principal with data roles only → 403 on every management operation.
/// </summary>
[Collection(ManagementAccessCollection.Name)]
public sealed class ManagementAuthenticationTests(AccessServer fixture)
{
    [Theory]
    [InlineData("GET", "/vaults")]
    [InlineData("POST", "/vaults")]
    [InlineData("GET", "/principals")]
    [InlineData("POST", "/roleassignments")]
    [InlineData("GET", "/nothing-here")]
    public async Task A_request_without_a_token_gets_401_with_the_Bearer_challenge(string method, string path)
    {
        using var anonymous = ManagementClient.WithToken(fixture.Server, null);
        var response = await anonymous.SendAsync(new HttpMethod(method), path, method == "POST" ? new JsonObject() : null);

        response.Problem(HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Equal(
            $"Bearer authorization=\"https://localhost:{fixture.Server.Port}/{fixture.Server.Credentials.TenantId}\", resource=\"https://localhost\"",
            response.Headers["WWW-Authenticate"]);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJvaWQiOiJ4In0.")]
    public async Task A_request_with_an_invalid_token_gets_401(string token)
    {
        using var client = ManagementClient.WithToken(fixture.Server, token);
        var response = await client.GetAsync("/vaults");
        response.Problem(HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.StartsWith("Bearer authorization=", response.Headers["WWW-Authenticate"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_principal_with_data_roles_only_is_forbidden_every_management_operation()
    {
        var principal = await fixture.CreatePrincipalAsync("data-only");
        await fixture.AssignAsync(principal.ObjectId, "Key Vault Secrets Officer", "/vaults/hub");
        await fixture.AssignAsync(principal.ObjectId, "Key Vault Crypto Officer", "/");
        var group = await fixture.CreateGroupAsync("data-only-target");
        var victim = await fixture.CreatePrincipalAsync("data-only-target");
        var ownerAssignment = (await fixture.Admin.GetAsync("/roleassignments")).Ok().GetProperty("value").EnumerateArray()
            .First(a => a.GetProperty("roleName").GetString() == "Owner").GetProperty("id").GetString();
        using var client = await ManagementClient.ConnectAsync(fixture.Server, principal);

        var calls = new (HttpMethod Method, string Path, JsonNode? Body)[]
        {
            (HttpMethod.Post, "/vaults", new JsonObject { ["name"] = AccessServer.VaultName("forbidden"), ["port"] = 1 }),
            (HttpMethod.Get, "/vaults/hub", null),
            (HttpMethod.Patch, "/vaults/hub", new JsonObject { ["purgeProtection"] = true }),
            (HttpMethod.Delete, "/vaults/hub", null),
            (HttpMethod.Get, "/deletedvaults", null),
            (HttpMethod.Post, "/deletedvaults/hub/recover", new JsonObject()),
            (HttpMethod.Delete, "/deletedvaults/hub", null),
            (HttpMethod.Get, "/principals", null),
            (HttpMethod.Post, "/principals", new JsonObject { ["displayName"] = "forbidden" }),
            (HttpMethod.Get, $"/principals/{victim.ClientId}", null),
            (HttpMethod.Patch, $"/principals/{victim.ClientId}", new JsonObject { ["enabled"] = false }),
            (HttpMethod.Post, $"/principals/{victim.ClientId}/secrets", new JsonObject()),
            (HttpMethod.Get, "/groups", null),
            (HttpMethod.Post, "/groups", new JsonObject { ["displayName"] = "forbidden" }),
            (HttpMethod.Get, $"/groups/{group}", null),
            (HttpMethod.Put, $"/groups/{group}/members/{principal.ObjectId}", null),
            (HttpMethod.Get, "/roleassignments", null),
            (HttpMethod.Get, "/roleassignments?scope=/vaults/hub", null),
            (HttpMethod.Post, "/roleassignments", new JsonObject { ["principalId"] = principal.ObjectId, ["role"] = "Key Vault Secrets User", ["scope"] = "/vaults/hub" }),
            (HttpMethod.Post, "/roleassignments", new JsonObject { ["principalId"] = principal.ObjectId, ["role"] = "Owner", ["scope"] = "/" }),
            (HttpMethod.Delete, $"/roleassignments/{ownerAssignment}", null),
            (HttpMethod.Post, "/signingkeys/rotate", new JsonObject()),
        };
        foreach (var (method, path, body) in calls)
        {
            (await client.SendAsync(method, path, body)).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        }
        // Listing vaults is filtered rather than refused: it sees none.
        Assert.Equal(0, (await client.GetAsync("/vaults")).Ok().GetProperty("value").GetArrayLength());
        Assert.True((await fixture.Admin.GetAsync($"/principals/{victim.ClientId}")).Ok().GetProperty("enabled").GetBoolean());
        Assert.Empty((await fixture.Admin.GetAsync($"/groups/{group}")).Ok().GetProperty("members").EnumerateArray());
    }

    [Fact]
    public async Task Management_errors_are_problem_details_and_data_plane_errors_stay_Azure_shaped()
    {
        (await fixture.Admin.GetAsync("/nothing-here")).Problem(HttpStatusCode.NotFound, "NotFound");
        (await fixture.Admin.GetAsync("/roleassignments?scope=/nowhere")).Problem(HttpStatusCode.BadRequest, "BadParameter");

        using var anonymous = fixture.Server.HttpClient();
        var data = await anonymous.GetAsync(new Uri("/secrets?api-version=7.6", UriKind.Relative));
        await ErrorAssertions.AssertChallengeAsync(data, fixture.Server);
    }
}
