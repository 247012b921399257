using Keyhub.Core.Authorization;
using Keyhub.Core.Errors;
using Keyhub.Core.Identity;
using Keyhub.Core.Storage;
using Keyhub.Core.Tests.Support;

namespace Keyhub.Core.Tests.Authorization;

public sealed class AccessEvaluatorTests : IAsyncLifetime
{
    private const string Alice = "5a1c0e4e-0000-4000-8000-00000000a11c";
    private const string Bob = "5a1c0e4e-0000-4000-8000-000000000b0b";
    private static readonly string HubSecret = Scopes.Object("hub", "secrets", "db-password");
    private static CancellationToken Ct => CancellationToken.None;
    private TestDeployment _deployment = null!;
    private RoleAssignmentStore _assignments = null!;
    private GroupStore _groups = null!;
    private AccessEvaluator _evaluator = null!;

    public async Task InitializeAsync()
    {
        _deployment = await TestDeployment.StartAsync();
        _assignments = new RoleAssignmentStore(_deployment.Store, _deployment.Seal, _deployment.Time);
        _groups = new GroupStore(_deployment.Store, _deployment.Seal, _deployment.Time);
        _evaluator = new AccessEvaluator(_assignments, _groups);
    }

    public Task DisposeAsync()
    {
        _deployment.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Without_assignments_everything_is_denied()
    {
        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, HubSecret, Ct));
        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, Scopes.Root, Ct));
    }

    [Fact]
    public async Task Vault_scope_assignment_allows_its_roles_actions_on_every_object_in_the_vault()
    {
        await _assignments.AddAsync(Alice, "Key Vault Secrets User", "/vaults/hub", Ct);

        Assert.True(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, HubSecret, Ct));
        Assert.True(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, Scopes.Object("hub", "secrets", "other"), Ct));
        Assert.True(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsReadMetadata, Scopes.Vault("hub"), Ct));
    }

    [Fact]
    public async Task Assignment_does_not_allow_actions_its_role_lacks()
    {
        await _assignments.AddAsync(Alice, "Key Vault Secrets User", "/vaults/hub", Ct);

        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsSet, HubSecret, Ct));
        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsPurge, HubSecret, Ct));
        Assert.False(await _evaluator.IsAllowedAsync(Alice, "Microsoft.KeyVault/vaults/keys/encrypt/action", Scopes.Object("hub", "keys", "k"), Ct));
    }

    [Fact]
    public async Task Object_scope_assignment_allows_only_that_object()
    {
        await _assignments.AddAsync(Alice, "Key Vault Secrets User", "/vaults/hub/secrets/DB-Password", Ct);

        Assert.True(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, HubSecret, Ct));
        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, Scopes.Object("hub", "secrets", "db-password2"), Ct));
        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, Scopes.Object("hub", "keys", "db-password"), Ct));
        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsReadMetadata, Scopes.Vault("hub"), Ct));
    }

    [Fact]
    public async Task Another_principals_assignment_does_not_apply()
    {
        await _assignments.AddAsync(Bob, "Key Vault Administrator", Scopes.Root, Ct);

        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, HubSecret, Ct));
        Assert.True(await _evaluator.IsAllowedAsync(Bob, DataActions.SecretsGet, HubSecret, Ct));
    }

    [Fact]
    public async Task Principal_ids_are_compared_exactly()
    {
        await _assignments.AddAsync(Alice, "Key Vault Administrator", Scopes.Root, Ct);

        Assert.False(await _evaluator.IsAllowedAsync(Alice.ToUpperInvariant(), DataActions.SecretsGet, HubSecret, Ct));
        Assert.False(await _evaluator.IsAllowedAsync($"{{{Alice}}}", DataActions.SecretsGet, HubSecret, Ct));
        Assert.False(await _evaluator.IsAllowedAsync("", DataActions.SecretsGet, HubSecret, Ct));
    }

    [Fact]
    public async Task Assignment_on_one_vault_does_not_apply_to_another_vault()
    {
        await _assignments.AddAsync(Alice, "Key Vault Secrets Officer", "/vaults/hub", Ct);

        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, Scopes.Object("hub2", "secrets", "db-password"), Ct));
        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsSet, Scopes.Object("spoke", "secrets", "db-password"), Ct));
        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsReadMetadata, Scopes.Vault("hub2"), Ct));
    }

    [Fact]
    public async Task Root_scope_assignment_applies_to_every_vault()
    {
        await _assignments.AddAsync(Alice, "Key Vault Reader", "/", Ct);

        Assert.True(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsReadMetadata, Scopes.Vault("hub"), Ct));
        Assert.True(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsReadMetadata, Scopes.Object("spoke", "secrets", "x"), Ct));
        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, Scopes.Object("spoke", "secrets", "x"), Ct));
    }

    [Fact]
    public async Task Assignments_of_several_roles_combine()
    {
        await _assignments.AddAsync(Alice, "Key Vault Secrets User", "/vaults/hub", Ct);
        await _assignments.AddAsync(Alice, "Key Vault Crypto User", "/vaults/hub", Ct);

        Assert.True(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, HubSecret, Ct));
        Assert.True(await _evaluator.IsAllowedAsync(Alice, "Microsoft.KeyVault/vaults/keys/encrypt/action", Scopes.Object("hub", "keys", "k"), Ct));
    }

    [Fact]
    public async Task Role_given_by_id_is_stored_by_id()
    {
        var assignment = await _assignments.AddAsync(Alice, BuiltInRoles.SecretsUser.Id, "/vaults/Hub", Ct);

        Assert.Equal(BuiltInRoles.SecretsUser.Id, assignment.RoleDefinitionId);
        Assert.Equal("/vaults/hub", assignment.Scope);
        Assert.True(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, HubSecret, Ct));
    }

    [Theory]
    [InlineData("key vault administrator")]
    [InlineData("owner")]
    [InlineData("")]
    public async Task Unknown_or_look_alike_role_is_a_bad_parameter(string role)
    {
        var error = await Assert.ThrowsAsync<KeyhubException>(() => _assignments.AddAsync(Alice, role, "/vaults/hub", Ct));

        Assert.Equal(400, error.Status);
        Assert.Empty(await _assignments.ListAsync(Ct));
    }

    [Fact]
    public async Task Invalid_scope_is_a_bad_parameter_and_nothing_is_stored()
    {
        var error = await Assert.ThrowsAsync<KeyhubException>(() => _assignments.AddAsync(Alice, "Key Vault Administrator", "/vaults/../x", Ct));

        Assert.Equal(400, error.Status);
        Assert.Empty(await _assignments.ListAsync(Ct));
    }

    [Fact]
    public async Task Assignment_takes_effect_immediately()
    {
        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, HubSecret, Ct));

        await _assignments.AddAsync(Alice, "Key Vault Secrets User", "/vaults/hub", Ct);

        Assert.True(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, HubSecret, Ct));
    }

    [Fact]
    public async Task Assignment_beyond_the_first_page_of_stored_assignments_is_evaluated()
    {
        for (var i = 0; i < 250; i++)
        {
            await _assignments.AddAsync(Bob, "Key Vault Reader", "/vaults/hub", Ct);
        }
        // Stored under the highest possible id, so it is on the last page the store returns.
        var last = new RoleAssignment("ffffffff-ffff-ffff-ffff-ffffffffffff", Alice, BuiltInRoles.SecretsUser.Id, "/vaults/hub");
        var key = new RecordKey(SystemVault.Name, "roleassignment", last.Id, "");
        await _deployment.Store.WriteAsync(
            [new RecordWrite.Insert(new StoredRecord
            {
                Key = key,
                Created = TestDeployment.Start,
                Updated = TestDeployment.Start,
                Payload = SealedJson.Encrypt(_deployment.Seal.Barrier, key, last),
            })],
            Ct);

        Assert.Equal(251, (await _assignments.ListAsync(Ct)).Count);
        Assert.True(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, HubSecret, Ct));
    }

    [Fact]
    public async Task Group_assignment_applies_to_members_only_and_stops_when_a_member_is_removed()
    {
        var team = await _groups.AddAsync("payments-team", Ct);
        await _groups.AddMemberAsync(team.ObjectId, Alice, Ct);
        await _assignments.AddAsync(team.ObjectId, BuiltInRoles.SecretsUser.Id, Scopes.Vault("hub"), Ct);

        Assert.True(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, HubSecret, Ct));
        Assert.False(await _evaluator.IsAllowedAsync(Bob, DataActions.SecretsGet, HubSecret, Ct));

        await _groups.RemoveMemberAsync(team.ObjectId, Alice, Ct);
        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, HubSecret, Ct));
    }

    [Fact]
    public async Task A_decision_follows_assignments_added_and_removed_after_earlier_decisions()
    {
        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, HubSecret, Ct));

        var assignment = await _assignments.AddAsync(Alice, BuiltInRoles.SecretsUser.Id, Scopes.Vault("hub"), Ct);
        Assert.True(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, HubSecret, Ct));

        await _assignments.RemoveAsync(assignment.Id, Ct);
        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, HubSecret, Ct));
    }

    [Fact]
    public async Task A_group_added_to_after_earlier_decisions_grants_its_new_member()
    {
        var team = await _groups.AddAsync("payments-team", Ct);
        await _assignments.AddAsync(team.ObjectId, BuiltInRoles.SecretsUser.Id, Scopes.Vault("hub"), Ct);
        Assert.False(await _evaluator.IsAllowedAsync(Bob, DataActions.SecretsGet, HubSecret, Ct));

        await _groups.AddMemberAsync(team.ObjectId, Bob, Ct);

        Assert.True(await _evaluator.IsAllowedAsync(Bob, DataActions.SecretsGet, HubSecret, Ct));
    }

    [Fact]
    public async Task Data_access_administrator_assigns_only_the_eight_data_roles_within_its_scope()
    {
        await _assignments.AddAsync(Alice, BuiltInRoles.DataAccessAdministrator.Id, Scopes.Vault("spoke-a"), Ct);
        const string Write = ManagementActions.RoleAssignmentsWrite;

        Assert.True(await _evaluator.CanAssignAsync(Alice, Write, BuiltInRoles.CryptoUser, Scopes.Vault("spoke-a"), Ct));
        Assert.True(await _evaluator.CanAssignAsync(Alice, Write, BuiltInRoles.SecretsUser, Scopes.Object("spoke-a", "secrets", "x"), Ct));
        Assert.False(await _evaluator.CanAssignAsync(Alice, Write, BuiltInRoles.DataAccessAdministrator, Scopes.Vault("spoke-a"), Ct));
        Assert.False(await _evaluator.CanAssignAsync(Alice, Write, BuiltInRoles.Owner, Scopes.Vault("spoke-a"), Ct));
        Assert.False(await _evaluator.CanAssignAsync(Alice, Write, BuiltInRoles.VaultContributor, Scopes.Vault("spoke-a"), Ct));
        Assert.False(await _evaluator.CanAssignAsync(Alice, Write, BuiltInRoles.CertificateUser, Scopes.Vault("spoke-a"), Ct));
        Assert.False(await _evaluator.CanAssignAsync(Alice, Write, BuiltInRoles.CryptoUser, Scopes.Vault("spoke-b"), Ct));
        Assert.False(await _evaluator.CanAssignAsync(Alice, Write, BuiltInRoles.CryptoUser, Scopes.Root, Ct));
        Assert.False(await _evaluator.IsAllowedAsync(Alice, DataActions.SecretsGet, Scopes.Object("spoke-a", "secrets", "x"), Ct));
    }

    [Fact]
    public async Task Owner_manages_the_deployment_but_reads_no_data()
    {
        await _assignments.AddAsync(Bob, BuiltInRoles.Owner.Id, Scopes.Root, Ct);

        Assert.True(await _evaluator.IsManagementAllowedAsync(Bob, ManagementActions.VaultsWrite, Scopes.Vault("spoke-a"), Ct));
        Assert.True(await _evaluator.CanAssignAsync(Bob, ManagementActions.RoleAssignmentsWrite, BuiltInRoles.Owner, Scopes.Root, Ct));
        Assert.False(await _evaluator.IsAllowedAsync(Bob, DataActions.SecretsGet, HubSecret, Ct));
        Assert.False(await _evaluator.IsAllowedAsync(Bob, DataActions.KeysDecrypt, Scopes.Object("spoke-a", "keys", "k"), Ct));
    }
}
