using System.Net;
using System.Text.Json.Nodes;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Access;

/// <summary>
/// Keyhub's Vault Contributor manages vault properties: no data access, no vault deletion, and no role
/// assignments — not even the ones creating a delegated vault makes.
/// </summary>
[Collection(ManagementAccessCollection.Name)]
public sealed class VaultContributorTests(AccessServer fixture)
{
    [Fact]
    public async Task A_vault_contributor_changes_vault_properties_but_reads_no_data_and_deletes_nothing()
    {
        var deployment = await HubAndSpokes.OfAsync(fixture);
        var contributor = await fixture.CreatePrincipalAsync("contributor");
        await fixture.AssignAsync(contributor.ObjectId, "Vault Contributor", deployment.B.Scope);
        using var management = await ManagementClient.ConnectAsync(fixture.Server, contributor);

        (await management.GetAsync($"/vaults/{deployment.B.Name}")).Ok();
        (await management.GetAsync($"/vaults/{deployment.A.Name}")).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        (await management.DeleteAsync($"/vaults/{deployment.B.Name}")).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        (await management.GetAsync($"/roleassignments?scope={deployment.B.Scope}")).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        (await management.PostAsync("/roleassignments", new JsonObject
        {
            ["principalId"] = contributor.ObjectId,
            ["role"] = "Key Vault Secrets User",
            ["scope"] = deployment.B.Scope,
        })).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");

        using var data = await fixture.DataAsync(deployment.B.Uri, contributor);
        var (_, owner, world) = deployment.Vaults["spoke B"];
        foreach (var operation in new[] { "secret get", "secret list", "key get", "key list", "key wrap" })
        {
            Assert.Null(await DataOperations.CheckForbiddenAsync(data, owner, world, operation));
        }
    }

    [Fact]
    public async Task A_vault_contributor_cannot_create_a_vault_delegated_to_a_group()
    {
        var contributor = await fixture.CreatePrincipalAsync("contributor-root");
        await fixture.AssignAsync(contributor.ObjectId, "Vault Contributor", "/");
        var group = await fixture.CreateGroupAsync("contributor-team");
        await fixture.AddMemberAsync(group, contributor.ObjectId);
        using var management = await ManagementClient.ConnectAsync(fixture.Server, contributor);
        var name = AccessServer.VaultName("by-contrib");

        // Delegating a vault assigns Key Vault Administrator and Data Access Administrator to the group;
        // a caller that may not make those assignments may not have them made on its behalf.
        (await management.PostAsync("/vaults", new JsonObject { ["name"] = name, ["port"] = FreePort.Next(), ["ownerGroupId"] = group }))
            .Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        Assert.Equal(0, (await fixture.Admin.GetAsync($"/roleassignments?scope=/vaults/{name}")).Ok().GetProperty("value").GetArrayLength());
    }
}
