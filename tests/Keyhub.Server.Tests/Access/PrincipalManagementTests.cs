using System.Net;
using System.Text.Json.Nodes;
using Keyhub.Server.Tests.Security;

namespace Keyhub.Server.Tests.Access;

/// <summary>
/// Service principals through the management API: a client secret is shown once, in the answer that made
/// it, and never listed; a principal may hold several secrets (with expiry), each works until removed.
/// </summary>
[Collection(ManagementAccessCollection.Name)]
public sealed class PrincipalManagementTests(AccessServer fixture)
{
    private ManagementClient Admin => fixture.Admin;

    [Fact]
    public async Task A_new_principal_s_secret_is_in_the_creating_answer_only()
    {
        var displayName = $"shown-once-{Guid.NewGuid():N}";
        var created = await Admin.PostAsync("/principals", new JsonObject { ["displayName"] = displayName });
        var body = created.Ok(HttpStatusCode.Created);
        Assert.Equal("no-store", created.Headers["Cache-Control"]);
        var clientId = body.GetProperty("clientId").GetString()!;
        var objectId = body.GetProperty("objectId").GetString()!;
        var secret = body.GetProperty("clientSecret").GetString()!;
        Assert.True(Guid.TryParse(clientId, out _));
        Assert.True(Guid.TryParse(objectId, out _));
        Assert.NotEqual(clientId, objectId);
        Assert.Equal(displayName, body.GetProperty("displayName").GetString());
        Assert.True(body.GetProperty("enabled").GetBoolean());
        Assert.True(secret.Length >= 40, "a secret carries 256 random bits");
        var credential = Assert.Single(body.GetProperty("secrets").EnumerateArray());
        Assert.False(credential.TryGetProperty("clientSecret", out _));
        await TokenRequests.AccessTokenAsync(fixture.Server, clientId, secret);

        var list = await Admin.GetAsync("/principals");
        Assert.Contains(list.Ok().GetProperty("value").EnumerateArray(), p => p.GetProperty("clientId").GetString() == clientId);
        var one = await Admin.GetAsync($"/principals/{clientId}");
        Assert.Equal(objectId, one.Ok().GetProperty("objectId").GetString());
        foreach (var answer in new[] { list, one })
        {
            Assert.DoesNotContain(secret, answer.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("clientSecret", answer.Body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(fixture.Server.Credentials.ClientSecret, answer.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_principal_holds_two_secrets_both_work_and_a_removed_one_gets_no_token()
    {
        var principal = await fixture.CreatePrincipalAsync("two-secrets");
        var firstId = Assert.Single((await Admin.GetAsync($"/principals/{principal.ClientId}")).Ok().GetProperty("secrets").EnumerateArray())
            .GetProperty("id").GetString()!;

        var added = await Admin.PostAsync($"/principals/{principal.ClientId}/secrets", new JsonObject { ["expiresInDays"] = 30 });
        var second = added.Ok(HttpStatusCode.Created);
        Assert.Equal("no-store", added.Headers["Cache-Control"]);
        var secondSecret = second.GetProperty("clientSecret").GetString()!;
        var secondId = second.GetProperty("id").GetString()!;
        Assert.NotEqual(principal.ClientSecret, secondSecret);
        Assert.InRange(second.GetProperty("expires").GetInt64(),
            DateTimeOffset.UtcNow.AddDays(30).AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddDays(30).AddMinutes(5).ToUnixTimeSeconds());
        var listed = (await Admin.GetAsync($"/principals/{principal.ClientId}")).Ok().GetProperty("secrets").EnumerateArray().ToList();
        Assert.Equal(2, listed.Count);
        Assert.Equal(second.GetProperty("expires").GetInt64(), listed.Single(s => s.GetProperty("id").GetString() == secondId).GetProperty("expires").GetInt64());

        var oldToken = await TokenRequests.AccessTokenAsync(fixture.Server, principal.ClientId, principal.ClientSecret);
        await TokenRequests.AccessTokenAsync(fixture.Server, principal.ClientId, secondSecret);

        (await Admin.DeleteAsync($"/principals/{principal.ClientId}/secrets/{firstId}")).Ok(HttpStatusCode.NoContent);

        using (var refused = await TokenRequests.PostAsync(fixture.Server, principal.ClientId, principal.ClientSecret))
        {
            await TokenRequests.AssertOAuthErrorAsync(refused, HttpStatusCode.Unauthorized, "invalid_client");
        }
        await TokenRequests.AccessTokenAsync(fixture.Server, principal.ClientId, secondSecret);
        Assert.Equal(secondId, Assert.Single((await Admin.GetAsync($"/principals/{principal.ClientId}")).Ok().GetProperty("secrets").EnumerateArray())
            .GetProperty("id").GetString());
        // A token issued before the removal stays valid until it expires (the principal is still enabled).
        using var management = ManagementClient.WithToken(fixture.Server, oldToken);
        (await management.GetAsync("/principals")).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(3651)]
    public async Task A_secret_lifetime_outside_1_to_3650_days_is_refused(int days)
    {
        var principal = await fixture.CreatePrincipalAsync("bad-expiry");
        (await Admin.PostAsync($"/principals/{principal.ClientId}/secrets", new JsonObject { ["expiresInDays"] = days }))
            .Problem(HttpStatusCode.BadRequest, "BadParameter");
        Assert.Single((await Admin.GetAsync($"/principals/{principal.ClientId}")).Ok().GetProperty("secrets").EnumerateArray());
    }

    [Fact]
    public async Task A_group_s_members_are_principals_so_a_group_cannot_be_added_to_a_group()
    {
        // Role assignments are resolved through direct membership only, so a nested group would be
        // accepted yet grant its members nothing: it must be refused instead.
        var outer = await fixture.CreateGroupAsync("outer");
        var inner = await fixture.CreateGroupAsync("inner");
        await fixture.AssignAsync(outer, "Key Vault Secrets User", "/vaults/hub");

        (await Admin.PutAsync($"/groups/{outer}/members/{inner}")).Problem(HttpStatusCode.BadRequest, "BadParameter");
        Assert.Empty((await Admin.GetAsync($"/groups/{outer}")).Ok().GetProperty("members").EnumerateArray());
    }

    [Fact]
    public async Task Principal_and_group_requests_with_bad_input_are_problems()
    {
        (await Admin.PostAsync("/principals", new JsonObject())).Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.GetAsync($"/principals/{Guid.NewGuid()}")).Problem(HttpStatusCode.NotFound, "PrincipalNotFound");
        (await Admin.PatchAsync($"/principals/{Guid.NewGuid()}", new JsonObject { ["enabled"] = false })).Problem(HttpStatusCode.NotFound, "PrincipalNotFound");
        (await Admin.PostAsync("/groups", new JsonObject())).Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.GetAsync($"/groups/{Guid.NewGuid()}")).Problem(HttpStatusCode.NotFound, "GroupNotFound");
        var group = await fixture.CreateGroupAsync("bad-member");
        (await Admin.PutAsync($"/groups/{group}/members/{Guid.NewGuid()}")).Problem(HttpStatusCode.BadRequest, "BadParameter");
        var principal = await fixture.CreatePrincipalAsync("member");
        (await Admin.PutAsync($"/groups/{Guid.NewGuid()}/members/{principal.ObjectId}")).Problem(HttpStatusCode.NotFound, "GroupNotFound");
        (await Admin.PostAsync("/roleassignments", new JsonObject { ["principalId"] = principal.ObjectId, ["role"] = "Key Vault Superuser", ["scope"] = "/" }))
            .Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.PostAsync("/roleassignments", new JsonObject { ["principalId"] = principal.ObjectId, ["role"] = "Key Vault Reader", ["scope"] = "/vaults/hub/blobs/x" }))
            .Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.PostAsync("/roleassignments", new JsonObject { ["principalId"] = Guid.NewGuid().ToString(), ["role"] = "Key Vault Reader", ["scope"] = "/" }))
            .Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.DeleteAsync($"/roleassignments/{Guid.NewGuid()}")).Problem(HttpStatusCode.NotFound, "RoleAssignmentNotFound");
    }
}
