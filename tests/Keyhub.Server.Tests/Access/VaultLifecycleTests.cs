using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Keyhub.Server.Dev;
using Keyhub.Server.Tests.Infrastructure;
using Keyhub.Server.Tests.Security;

namespace Keyhub.Server.Tests.Access;

/// <summary>
/// Vaults through the management API (issue 4, wire.md §5.3 and §6): retention 7–90 days fixed at creation;
/// purge protection can be turned on, never off; delete is soft (the data plane stops answering), recover
/// brings the vault back with its data, purge removes it unless purge protection holds it; a port-bound vault
/// made at run time answers on its port at once and is listed in dev mode's credentials.json.
/// </summary>
[Collection(ManagementAccessCollection.Name)]
public sealed class VaultLifecycleTests(AccessServer fixture)
{
    private ManagementClient Admin => fixture.Admin;

    [Theory]
    [InlineData(6)]
    [InlineData(91)]
    [InlineData(0)]
    [InlineData(-7)]
    public async Task Retention_outside_7_to_90_days_is_refused(int days)
    {
        var name = AccessServer.VaultName("bad-retention");
        (await Admin.PostAsync("/vaults", new JsonObject { ["name"] = name, ["port"] = FreePort.Next(), ["retentionDays"] = days }))
            .Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.GetAsync($"/vaults/{name}")).Problem(HttpStatusCode.NotFound, "VaultNotFound");
    }

    [Theory]
    [InlineData(7, false, "CustomizedRecoverable+Purgeable")]
    [InlineData(7, true, "CustomizedRecoverable")]
    [InlineData(90, false, "Recoverable+Purgeable")]
    [InlineData(90, true, "Recoverable")]
    public async Task A_vault_reports_its_retention_purge_protection_and_recovery_level(int days, bool purgeProtection, string recoveryLevel)
    {
        var name = AccessServer.VaultName("levels");
        var port = FreePort.Next();
        var created = (await Admin.PostAsync("/vaults", new JsonObject
        {
            ["name"] = name,
            ["port"] = port,
            ["retentionDays"] = days,
            ["purgeProtection"] = purgeProtection,
        })).Ok(HttpStatusCode.Created);

        foreach (var vault in new[] { created, (await Admin.GetAsync($"/vaults/{name}")).Ok() })
        {
            Assert.Equal(name, vault.GetProperty("name").GetString());
            Assert.Equal($"https://localhost:{port}", vault.GetProperty("url").GetString());
            Assert.Equal(port, vault.GetProperty("port").GetInt32());
            Assert.Equal(days, vault.GetProperty("retentionDays").GetInt32());
            Assert.Equal(purgeProtection, vault.GetProperty("purgeProtection").GetBoolean());
            Assert.Equal(recoveryLevel, vault.GetProperty("recoveryLevel").GetString());
        }
        Assert.Contains((await Admin.GetAsync("/vaults")).Ok().GetProperty("value").EnumerateArray(), v => v.GetProperty("name").GetString() == name);
    }

    [Fact]
    public async Task A_vault_made_at_run_time_answers_on_its_own_port_at_once_and_is_listed_in_credentials_json()
    {
        var (name, port, team) = await CreateDelegatedAsync("runtime", retentionDays: 90, purgeProtection: false);
        var uri = new Uri($"https://localhost:{port}");

        var client = new Azure.Security.KeyVault.Secrets.SecretClient(uri, fixture.Server.Credential(team.ClientId, team.ClientSecret), fixture.Server.SecretOptions());
        var set = await client.SetSecretAsync("first", "on-its-own-port");
        Assert.Equal(uri, set.Value.Properties.VaultUri);
        Assert.Equal(new Uri(uri, $"/secrets/first/{set.Value.Properties.Version}"), set.Value.Id);
        Assert.Equal($"https://localhost:{port}", DevCredentials.TryRead(fixture.Server.DataDirectory)!.Vaults[name]);
        // The new port serves this vault alone: its list holds its one secret, none of the hub's.
        using var http = await BearerClientAsync(uri, team);
        using var listed = JsonDocument.Parse(await http.GetStringAsync(new Uri("/secrets?api-version=7.6", UriKind.Relative)));
        var item = Assert.Single(listed.RootElement.GetProperty("value").EnumerateArray());
        Assert.Equal($"https://localhost:{port}/secrets/first", item.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Purge_protection_can_be_turned_on_but_never_off_and_retention_is_fixed()
    {
        var name = AccessServer.VaultName("protect");
        (await Admin.PostAsync("/vaults", new JsonObject { ["name"] = name, ["port"] = FreePort.Next(), ["retentionDays"] = 30 })).Ok(HttpStatusCode.Created);

        var on = (await Admin.PatchAsync($"/vaults/{name}", new JsonObject { ["purgeProtection"] = true })).Ok();
        Assert.True(on.GetProperty("purgeProtection").GetBoolean());
        Assert.Equal("CustomizedRecoverable", on.GetProperty("recoveryLevel").GetString());
        (await Admin.PatchAsync($"/vaults/{name}", new JsonObject { ["purgeProtection"] = false })).Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.PatchAsync($"/vaults/{name}", new JsonObject { ["retentionDays"] = 60 })).Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.PatchAsync($"/vaults/{name}", new JsonObject { ["purgeProtection"] = true })).Ok();

        var stored = (await Admin.GetAsync($"/vaults/{name}")).Ok();
        Assert.True(stored.GetProperty("purgeProtection").GetBoolean());
        Assert.Equal(30, stored.GetProperty("retentionDays").GetInt32());
    }

    [Fact]
    public async Task A_deleted_vault_stops_answering_and_recovers_with_its_data_but_purge_protection_refuses_its_purge()
    {
        var (name, port, team) = await CreateDelegatedAsync("soft", retentionDays: 7, purgeProtection: true);
        var uri = new Uri($"https://localhost:{port}");
        var client = new Azure.Security.KeyVault.Secrets.SecretClient(uri, fixture.Server.Credential(team.ClientId, team.ClientSecret), fixture.Server.SecretOptions());
        await client.SetSecretAsync("kept", "survives-soft-delete");
        using var http = await BearerClientAsync(uri, team);

        var deleted = (await Admin.DeleteAsync($"/vaults/{name}")).Ok();
        Assert.Equal(name, deleted.GetProperty("name").GetString());
        Assert.Equal(7 * 86400, deleted.GetProperty("scheduledPurgeDate").GetInt64() - deleted.GetProperty("deletedDate").GetInt64());
        Assert.InRange(deleted.GetProperty("deletedDate").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds());

        // Its port no longer serves it, with or without a token.
        var gone = await ErrorAssertions.AssertAzureErrorAsync(await http.GetAsync(new Uri("/secrets/kept?api-version=7.6", UriKind.Relative)), HttpStatusCode.NotFound, "NotFound");
        Assert.Contains("No vault is served", gone, StringComparison.Ordinal);
        var failure = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("kept"));
        Assert.Equal(404, failure.Status);
        (await Admin.GetAsync($"/vaults/{name}")).Problem(HttpStatusCode.NotFound, "VaultNotFound");
        Assert.DoesNotContain(Names((await Admin.GetAsync("/vaults")).Ok()), n => n == name);
        var listedDeleted = (await Admin.GetAsync("/deletedvaults")).Ok().GetProperty("value").EnumerateArray().Single(v => v.GetProperty("name").GetString() == name);
        Assert.Equal(deleted.GetProperty("scheduledPurgeDate").GetInt64(), listedDeleted.GetProperty("scheduledPurgeDate").GetInt64());
        // A deleted vault's name is not free; a second delete finds nothing.
        (await Admin.PostAsync("/vaults", new JsonObject { ["name"] = name, ["port"] = FreePort.Next() })).Problem(HttpStatusCode.Conflict, "Conflict");
        (await Admin.DeleteAsync($"/vaults/{name}")).Problem(HttpStatusCode.NotFound, "VaultNotFound");

        // Purge protection: no purge before retention ends, but recovery works.
        var refused = (await Admin.DeleteAsync($"/deletedvaults/{name}")).Problem(HttpStatusCode.Forbidden, "Forbidden");
        Assert.Contains("urge protection", refused, StringComparison.Ordinal);
        Assert.Contains(Names((await Admin.GetAsync("/deletedvaults")).Ok()), n => n == name);

        var recovered = (await Admin.PostAsync($"/deletedvaults/{name}/recover")).Ok();
        Assert.Equal($"https://localhost:{port}", recovered.GetProperty("url").GetString());
        Assert.True(recovered.GetProperty("purgeProtection").GetBoolean());
        Assert.Equal("survives-soft-delete", (await client.GetSecretAsync("kept")).Value.Value);
        Assert.DoesNotContain(Names((await Admin.GetAsync("/deletedvaults")).Ok()), n => n == name);
        (await Admin.PostAsync($"/deletedvaults/{name}/recover")).Problem(HttpStatusCode.NotFound, "VaultNotFound");
    }

    [Fact]
    public async Task Purging_an_unprotected_deleted_vault_removes_its_data_and_frees_its_name()
    {
        var (name, port, team) = await CreateDelegatedAsync("purged", retentionDays: 90, purgeProtection: false);
        var uri = new Uri($"https://localhost:{port}");
        var client = new Azure.Security.KeyVault.Secrets.SecretClient(uri, fixture.Server.Credential(team.ClientId, team.ClientSecret), fixture.Server.SecretOptions());
        await client.SetSecretAsync("doomed", "purged-with-its-vault");
        (await Admin.DeleteAsync($"/vaults/{name}")).Ok();

        (await Admin.DeleteAsync($"/deletedvaults/{name}")).Ok(HttpStatusCode.NoContent);

        Assert.DoesNotContain(Names((await Admin.GetAsync("/deletedvaults")).Ok()), n => n == name);
        (await Admin.PostAsync($"/deletedvaults/{name}/recover")).Problem(HttpStatusCode.NotFound, "VaultNotFound");
        (await Admin.DeleteAsync($"/deletedvaults/{name}")).Problem(HttpStatusCode.NotFound, "VaultNotFound");

        // The name (and even the port) can be used again, by the same team, for an empty vault.
        var groupId = await fixture.CreateGroupAsync("purged-again");
        await fixture.AddMemberAsync(groupId, team.ObjectId);
        (await Admin.PostAsync("/vaults", new JsonObject { ["name"] = name, ["port"] = port, ["ownerGroupId"] = groupId })).Ok(HttpStatusCode.Created);
        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("doomed"));
        Assert.Equal(404, missing.Status);
        Assert.Equal("SecretNotFound", missing.ErrorCode);
        await using var versions = client.GetPropertiesOfSecretsAsync().GetAsyncEnumerator();
        Assert.False(await versions.MoveNextAsync());
    }

    [Fact]
    public async Task Purging_a_vault_removes_the_role_assignments_on_it_so_a_vault_reusing_its_name_grants_nothing_to_the_old_team()
    {
        var (name, _, team) = await CreateDelegatedAsync("reused", retentionDays: 90, purgeProtection: false);
        (await Admin.DeleteAsync($"/vaults/{name}")).Ok();
        // While it is only deleted, its delegation stays (recovery must bring the vault back as it was).
        Assert.Equal(2, (await Admin.GetAsync($"/roleassignments?scope=/vaults/{name}")).Ok().GetProperty("value").GetArrayLength());
        (await Admin.DeleteAsync($"/deletedvaults/{name}")).Ok(HttpStatusCode.NoContent);

        Assert.Equal(0, (await Admin.GetAsync($"/roleassignments?scope=/vaults/{name}")).Ok().GetProperty("value").GetArrayLength());
        var port = FreePort.Next();
        (await Admin.PostAsync("/vaults", new JsonObject { ["name"] = name, ["port"] = port })).Ok(HttpStatusCode.Created);
        var client = new Azure.Security.KeyVault.Secrets.SecretClient(
            new Uri($"https://localhost:{port}"), fixture.Server.Credential(team.ClientId, team.ClientSecret), fixture.Server.SecretOptions());
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("planted", "by-the-old-team"));
        Assert.Equal(403, refused.Status);
    }

    [Fact]
    public async Task A_vault_whose_port_another_process_holds_is_refused_not_created_unreachable()
    {
        var port = FreePort.Next();
        using var squatter = new System.Net.Sockets.TcpListener(IPAddress.Loopback, port);
        squatter.Start();
        var name = AccessServer.VaultName("squatted");

        (await Admin.PostAsync("/vaults", new JsonObject { ["name"] = name, ["port"] = port })).Problem(HttpStatusCode.Conflict, "Conflict");
        (await Admin.GetAsync($"/vaults/{name}")).Problem(HttpStatusCode.NotFound, "VaultNotFound");
    }

    [Fact]
    public async Task Vault_requests_with_bad_input_are_problems()
    {
        (await Admin.PostAsync("/vaults", new JsonObject { ["port"] = FreePort.Next() })).Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.PostAsync("/vaults", new JsonObject { ["name"] = "x", ["port"] = FreePort.Next() })).Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.PostAsync("/vaults", new JsonObject { ["name"] = AccessServer.VaultName("badport"), ["port"] = 70000 })).Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.PostAsync("/vaults", new JsonObject { ["name"] = AccessServer.VaultName("badport"), ["port"] = "443" })).Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.PostAsync("/vaults", new JsonObject { ["name"] = AccessServer.VaultName("hubport"), ["port"] = fixture.Server.Port }))
            .Problem(HttpStatusCode.Conflict, "Conflict");
        (await Admin.PostAsync("/vaults", new JsonObject { ["name"] = AccessServer.VaultName("badgroup"), ["port"] = FreePort.Next(), ["ownerGroupId"] = Guid.NewGuid().ToString() }))
            .Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.PostAsync("/vaults", new JsonObject { ["name"] = "hub", ["port"] = FreePort.Next() })).Problem(HttpStatusCode.Conflict, "Conflict");
        (await Admin.GetAsync($"/vaults/{AccessServer.VaultName("absent")}")).Problem(HttpStatusCode.NotFound, "VaultNotFound");
        (await Admin.GetAsync("/vaults/no_such!")).Problem(HttpStatusCode.BadRequest, "BadParameter");
        using var malformed = new HttpRequestMessage(HttpMethod.Post, new Uri("/keyhub/v1/vaults", UriKind.Relative))
        {
            Content = new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json"),
        };
        (await Admin.SendAsync(malformed)).Problem(HttpStatusCode.BadRequest, "BadParameter");
    }

    [Fact]
    public async Task A_premium_vault_is_refused_on_a_deployment_without_an_HSM_and_an_unknown_sku_is_refused()
    {
        var premium = AccessServer.VaultName("premium");
        var bogus = AccessServer.VaultName("bogus-sku");

        var refused = (await Admin.PostAsync("/vaults", new JsonObject { ["name"] = premium, ["port"] = FreePort.Next(), ["sku"] = "premium" }))
            .Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.PostAsync("/vaults", new JsonObject { ["name"] = bogus, ["port"] = FreePort.Next(), ["sku"] = "gold" }))
            .Problem(HttpStatusCode.BadRequest, "BadParameter");

        Assert.Contains("HSM", refused, StringComparison.Ordinal);
        (await Admin.GetAsync($"/vaults/{premium}")).Problem(HttpStatusCode.NotFound, "VaultNotFound");
        (await Admin.GetAsync($"/vaults/{bogus}")).Problem(HttpStatusCode.NotFound, "VaultNotFound");
    }

    /// <summary>A port-bound vault delegated to a new team (group + one principal); returns its name, port and the team principal.</summary>
    private async Task<(string Name, int Port, TestPrincipal Team)> CreateDelegatedAsync(string label, int retentionDays, bool purgeProtection)
    {
        var groupId = await fixture.CreateGroupAsync($"{label}-team");
        var team = await fixture.CreatePrincipalAsync($"{label}-app");
        await fixture.AddMemberAsync(groupId, team.ObjectId);
        var name = AccessServer.VaultName(label);
        var port = FreePort.Next();
        (await Admin.PostAsync("/vaults", new JsonObject
        {
            ["name"] = name,
            ["port"] = port,
            ["ownerGroupId"] = groupId,
            ["retentionDays"] = retentionDays,
            ["purgeProtection"] = purgeProtection,
        })).Ok(HttpStatusCode.Created);
        return (name, port, team);
    }

    private async Task<HttpClient> BearerClientAsync(Uri vault, TestPrincipal principal)
    {
        var token = await TokenRequests.AccessTokenAsync(fixture.Server, principal.ClientId, principal.ClientSecret);
        var http = fixture.Server.HttpClient();
        http.BaseAddress = vault;
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static IEnumerable<string?> Names(JsonElement list) => list.GetProperty("value").EnumerateArray().Select(v => v.GetProperty("name").GetString());
}
