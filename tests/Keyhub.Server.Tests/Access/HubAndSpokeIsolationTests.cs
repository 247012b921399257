using System.Net;

namespace Keyhub.Server.Tests.Access;

/// <summary>
/// Hub and spokes (design.md §1, §6): each spoke's team administers its own spoke's data through its group,
/// and gets 403 on every operation of the other spoke and of the hub; the deployment Owner manages the spokes
/// but reads none of their data. Each spoke is on its own port, addressed as the SDKs address it.
/// </summary>
[Collection(ManagementAccessCollection.Name)]
public sealed class HubAndSpokeIsolationTests(AccessServer fixture)
{
    [Theory]
    [InlineData("A")]
    [InlineData("B")]
    public async Task A_spoke_team_administers_its_own_spoke_through_its_group(string spoke)
    {
        var deployment = await HubAndSpokes.OfAsync(fixture);
        var (vault, admin, _) = deployment.Vaults[$"spoke {spoke}"];
        // A world of its own, so the shared one stays untouched for the refusal tests.
        var world = await DataWorld.PrepareAsync(admin, $"own-{spoke.ToLowerInvariant()}");
        var problems = new List<string>();
        foreach (var operation in DataOperations.All)
        {
            if (await DataOperations.CheckAllowedAsync(admin, admin, world, operation) is { } problem)
            {
                problems.Add(problem);
            }
        }
        Assert.True(problems.Count == 0, $"team {spoke} on {vault}:\n" + string.Join("\n", problems));
    }

    [Theory]
    [InlineData("team A", "spoke B")]
    [InlineData("team A", "hub")]
    [InlineData("team B", "spoke A")]
    [InlineData("team B", "hub")]
    [InlineData("SecOps Owner", "spoke A")]
    [InlineData("SecOps Owner", "spoke B")]
    [InlineData("SecOps Owner", "hub")]
    public async Task Every_data_operation_on_a_vault_not_delegated_to_the_caller_is_forbidden(string caller, string target)
    {
        var deployment = await HubAndSpokes.OfAsync(fixture);
        var (vault, admin, world) = deployment.Vaults[target];
        using var client = await fixture.DataAsync(vault, deployment.Principal(caller));
        var problems = new List<string>();
        foreach (var operation in DataOperations.All)
        {
            if (await DataOperations.CheckForbiddenAsync(client, admin, world, operation) is { } problem)
            {
                problems.Add(problem);
            }
        }
        Assert.True(problems.Count == 0, $"{caller} on {target} ({vault}):\n" + string.Join("\n", problems));
    }

    [Fact]
    public async Task The_deployment_owner_manages_spoke_vaults_without_their_data()
    {
        var deployment = await HubAndSpokes.OfAsync(fixture);
        using var owner = await ManagementClient.ConnectAsync(fixture.Server, deployment.Owner);

        var vault = (await owner.GetAsync($"/vaults/{deployment.A.Name}")).Ok();
        Assert.Equal(deployment.A.Uri.ToString().TrimEnd('/'), vault.GetProperty("url").GetString());
        Assert.Equal(deployment.A.Port, vault.GetProperty("port").GetInt32());
        var listed = (await owner.GetAsync("/vaults")).Ok().GetProperty("value").EnumerateArray().Select(v => v.GetProperty("name").GetString()).ToList();
        Assert.Contains(deployment.A.Name, listed);
        Assert.Contains(deployment.B.Name, listed);
        Assert.Contains("hub", listed);

        // Delegation is two assignments to the team's group, on that vault only.
        var assignments = (await owner.GetAsync($"/roleassignments?scope={deployment.A.Scope}")).Ok().GetProperty("value").EnumerateArray()
            .Where(a => a.GetProperty("principalId").GetString() == deployment.A.GroupId)
            .Select(a => (a.GetProperty("roleName").GetString(), a.GetProperty("scope").GetString()))
            .Order()
            .ToList();
        Assert.Equal(
            [("Key Vault Administrator", deployment.A.Scope), ("Key Vault Data Access Administrator", deployment.A.Scope)],
            assignments);
        var everywhere = (await owner.GetAsync("/roleassignments")).Ok().GetProperty("value").EnumerateArray()
            .Count(a => a.GetProperty("principalId").GetString() == deployment.A.GroupId);
        Assert.Equal(2, everywhere);

        // Owner of the deployment, yet a data request on the spoke is refused (every operation: see above).
        using var data = await fixture.DataAsync(deployment.A.Uri, deployment.Owner);
        (await data.SendAsync(HttpMethod.Get, "/secrets")).Error(HttpStatusCode.Forbidden, "Forbidden", "ForbiddenByRbac");
    }
}
