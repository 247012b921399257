using System.Net;
using System.Text.Json.Nodes;

namespace Keyhub.Server.Tests.Access;

/// <summary>
/// A spoke team holds Key Vault Data Access Administrator on its spoke: it may assign (and remove) exactly the
/// eight data roles Azure's condition allows, at or below its vault — never Owner, Vault Contributor, Data
/// Access Administrator itself or Certificate User, and nowhere outside its vault.
/// </summary>
[Collection(ManagementAccessCollection.Name)]
public sealed class DataAccessAdministratorTests(AccessServer fixture)
{
    /// <summary>The eight role ids of Azure's Data Access Administrator condition (wire.md §5.1), by hand.</summary>
    public static TheoryData<string, string> AssignableRoles { get; } = new()
    {
        { "Key Vault Administrator", "00482a5a-887f-4fb3-b363-3b7fe8e74483" },
        { "Key Vault Certificates Officer", "a4417e6f-fecd-4de8-b567-7b0420556985" },
        { "Key Vault Crypto Officer", "14b46e9e-c2b7-41b4-b07b-48a6ebf60603" },
        { "Key Vault Crypto Service Encryption User", "e147488a-f6f5-4113-8e2d-b22465e65bf6" },
        { "Key Vault Crypto User", "12338af0-0e69-4776-bea7-57ae8d297424" },
        { "Key Vault Reader", "21090545-7ca7-4776-b22c-e363652d74d2" },
        { "Key Vault Secrets Officer", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7" },
        { "Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6" },
    };

    [Theory]
    [MemberData(nameof(AssignableRoles))]
    public async Task A_spoke_team_assigns_and_removes_each_of_the_eight_data_roles_on_its_vault(string name, string id)
    {
        var deployment = await HubAndSpokes.OfAsync(fixture);
        var app = await fixture.CreatePrincipalAsync("daa-app");
        using var team = await ManagementClient.ConnectAsync(fixture.Server, deployment.A.Team);

        foreach (var (role, scope) in new[] { (id, deployment.A.Scope), (name, $"{deployment.A.Scope}/secrets/some-secret") })
        {
            var created = (await team.PostAsync("/roleassignments", Assignment(app.ObjectId, role, scope))).Ok(HttpStatusCode.Created);
            Assert.Equal(id, created.GetProperty("roleDefinitionId").GetString());
            Assert.Equal(name, created.GetProperty("roleName").GetString());
            Assert.Equal(scope, created.GetProperty("scope").GetString());
            Assert.Equal(app.ObjectId, created.GetProperty("principalId").GetString());
            (await team.DeleteAsync($"/roleassignments/{created.GetProperty("id").GetString()}")).Ok(HttpStatusCode.NoContent);
        }
    }

    [Theory]
    [InlineData("Owner")]
    [InlineData("Vault Contributor")]
    [InlineData("Key Vault Data Access Administrator")]
    [InlineData("8b54135c-b56d-4d72-a534-26097cfdc8d8")]
    [InlineData("Key Vault Certificate User")]
    public async Task A_spoke_team_cannot_assign_a_role_outside_the_eight_even_on_its_vault(string role)
    {
        var deployment = await HubAndSpokes.OfAsync(fixture);
        var app = await fixture.CreatePrincipalAsync("daa-refused-role");
        using var team = await ManagementClient.ConnectAsync(fixture.Server, deployment.A.Team);

        (await team.PostAsync("/roleassignments", Assignment(app.ObjectId, role, deployment.A.Scope))).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        (await team.PostAsync("/roleassignments", Assignment(deployment.A.Team.ObjectId, role, deployment.A.Scope)))
            .Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        await AssertNoAssignmentsAsync(app.ObjectId);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/vaults/hub")]
    [InlineData("/vaults/hub/secrets/anything")]
    [InlineData("spoke B")]
    [InlineData("spoke B secret")]
    public async Task A_spoke_team_cannot_assign_outside_its_vault(string where)
    {
        var deployment = await HubAndSpokes.OfAsync(fixture);
        var scope = where switch
        {
            "spoke B" => deployment.B.Scope,
            "spoke B secret" => $"{deployment.B.Scope}/secrets/anything",
            _ => where,
        };
        var app = await fixture.CreatePrincipalAsync("daa-refused-scope");
        using var team = await ManagementClient.ConnectAsync(fixture.Server, deployment.A.Team);

        (await team.PostAsync("/roleassignments", Assignment(app.ObjectId, "Key Vault Secrets User", scope))).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        (await team.PostAsync("/roleassignments", Assignment(deployment.A.Team.ObjectId, "Key Vault Administrator", scope)))
            .Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        await AssertNoAssignmentsAsync(app.ObjectId);
    }

    [Fact]
    public async Task A_role_a_spoke_team_assigns_grants_its_data_in_that_spoke_only()
    {
        var deployment = await HubAndSpokes.OfAsync(fixture);
        var app = await fixture.CreatePrincipalAsync("daa-granted");
        using var team = await ManagementClient.ConnectAsync(fixture.Server, deployment.A.Team);
        (await team.PostAsync("/roleassignments", Assignment(app.ObjectId, "Key Vault Secrets User", deployment.A.Scope))).Ok(HttpStatusCode.Created);
        var secretA = deployment.Vaults["spoke A"].World.Secret;
        var secretB = deployment.Vaults["spoke B"].World.Secret;

        using var onA = await fixture.DataAsync(deployment.A.Uri, app);
        Assert.Equal("world-value", (await onA.Secrets.GetSecretAsync(secretA)).Value.Value);
        using var onB = await fixture.DataAsync(deployment.B.Uri, app);
        (await DataClient.CallAsync(async () => (await onB.Secrets.GetSecretAsync(secretB)).GetRawResponse()))
            .Error(HttpStatusCode.Forbidden, "Forbidden", "ForbiddenByRbac");
    }

    [Fact]
    public async Task A_spoke_team_cannot_remove_assignments_outside_its_vault_or_its_own_delegation()
    {
        var deployment = await HubAndSpokes.OfAsync(fixture);
        using var team = await ManagementClient.ConnectAsync(fixture.Server, deployment.A.Team);
        var all = (await fixture.Admin.GetAsync("/roleassignments")).Ok().GetProperty("value").EnumerateArray().ToList();
        string IdOf(string principalId, string role, string scope) => all.Single(a =>
            a.GetProperty("principalId").GetString() == principalId && a.GetProperty("roleName").GetString() == role && a.GetProperty("scope").GetString() == scope)
            .GetProperty("id").GetString()!;

        // Spoke B's delegation, the deployment Owner, and its own Data Access Administrator assignment
        // (not one of the eight roles it manages).
        string[] protectedIds =
        [
            IdOf(deployment.B.GroupId, "Key Vault Administrator", deployment.B.Scope),
            IdOf(deployment.B.GroupId, "Key Vault Data Access Administrator", deployment.B.Scope),
            IdOf(deployment.Owner.ObjectId, "Owner", "/"),
            IdOf(deployment.A.GroupId, "Key Vault Data Access Administrator", deployment.A.Scope),
        ];
        foreach (var id in protectedIds)
        {
            (await team.DeleteAsync($"/roleassignments/{id}")).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        }

        var after = (await fixture.Admin.GetAsync("/roleassignments")).Ok().GetProperty("value").EnumerateArray()
            .Select(a => a.GetProperty("id").GetString()).ToHashSet();
        Assert.All(protectedIds, id => Assert.Contains(id, after));
    }

    [Fact]
    public async Task A_spoke_team_has_no_other_management_rights()
    {
        var deployment = await HubAndSpokes.OfAsync(fixture);
        using var team = await ManagementClient.ConnectAsync(fixture.Server, deployment.A.Team);

        (await team.GetAsync($"/vaults/{deployment.A.Name}")).Ok();
        (await team.GetAsync($"/roleassignments?scope={deployment.A.Scope}")).Ok();
        (await team.GetAsync($"/vaults/{deployment.B.Name}")).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        (await team.GetAsync("/roleassignments")).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        (await team.GetAsync($"/roleassignments?scope={deployment.B.Scope}")).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        (await team.SendAsync(HttpMethod.Patch, $"/vaults/{deployment.A.Name}", new JsonObject { ["purgeProtection"] = true }))
            .Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        (await team.DeleteAsync($"/vaults/{deployment.A.Name}")).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        (await team.PostAsync("/vaults", new JsonObject { ["name"] = AccessServer.VaultName("team-made"), ["port"] = 1 }))
            .Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        (await team.PostAsync("/principals", new JsonObject { ["displayName"] = "team-made" })).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        (await team.PutAsync($"/groups/{deployment.A.GroupId}/members/{deployment.B.Team.ObjectId}")).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        var visible = (await team.GetAsync("/vaults")).Ok().GetProperty("value").EnumerateArray().Select(v => v.GetProperty("name").GetString());
        Assert.Equal([deployment.A.Name], visible);
    }

    private static JsonObject Assignment(string principalId, string role, string scope) =>
        new() { ["principalId"] = principalId, ["role"] = role, ["scope"] = scope };

    private async Task AssertNoAssignmentsAsync(string principalId) =>
        Assert.DoesNotContain((await fixture.Admin.GetAsync("/roleassignments")).Ok().GetProperty("value").EnumerateArray(),
            a => a.GetProperty("principalId").GetString() == principalId);
}
