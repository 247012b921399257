using Keyhub.Core.Authorization;

namespace Keyhub.Core.Tests.Authorization;

public sealed class BuiltInRolesTests
{
    private const string P = "Microsoft.KeyVault/vaults/";

    private static readonly string[] SecretActions =
    [
        DataActions.SecretsGet, DataActions.SecretsReadMetadata, DataActions.SecretsSet, DataActions.SecretsUpdate,
        DataActions.SecretsDelete, DataActions.SecretsRecover, DataActions.SecretsBackup, DataActions.SecretsRestore,
        DataActions.SecretsPurge,
    ];

    private static readonly string[] KeyActions =
    [
        P + "keys/read", P + "keys/create/action", P + "keys/import/action", P + "keys/update/action",
        P + "keys/delete", P + "keys/backup/action", P + "keys/restore/action", P + "keys/recover/action",
        P + "keys/purge/action", P + "keys/encrypt/action", P + "keys/decrypt/action", P + "keys/wrap/action",
        P + "keys/unwrap/action", P + "keys/sign/action", P + "keys/verify/action", P + "keys/release/action",
        P + "keyrotationpolicies/read", P + "keyrotationpolicies/write",
    ];

    private static readonly string[] OtherActions =
    [
        P + "certificates/read", P + "certificates/create/action", P + "certificatecas/read",
        P + "certificatecontacts/write", "Microsoft.KeyVault/managedHSMs/keys/read",
    ];

    private static readonly string[] AllActions = [.. SecretActions, .. KeyActions, .. OtherActions];

    /// <summary>What each role grants out of <see cref="AllActions"/>, from Azure's built-in role definitions.</summary>
    private static readonly Dictionary<string, string[]> Granted = new(StringComparer.Ordinal)
    {
        ["Key Vault Administrator"] = [.. SecretActions, .. KeyActions, .. OtherActions[..4]],
        ["Key Vault Crypto Officer"] = KeyActions,
        ["Key Vault Crypto User"] =
        [
            P + "keys/read", P + "keys/update/action", P + "keys/backup/action", P + "keys/encrypt/action",
            P + "keys/decrypt/action", P + "keys/wrap/action", P + "keys/unwrap/action", P + "keys/sign/action",
            P + "keys/verify/action",
        ],
        ["Key Vault Crypto Service Encryption User"] = [P + "keys/read", P + "keys/wrap/action", P + "keys/unwrap/action"],
        ["Key Vault Secrets Officer"] = SecretActions,
        ["Key Vault Secrets User"] = [DataActions.SecretsGet, DataActions.SecretsReadMetadata],
        ["Key Vault Certificates Officer"] =
            [P + "certificates/read", P + "certificates/create/action", P + "certificatecas/read", P + "certificatecontacts/write"],
        ["Key Vault Certificate User"] = [P + "certificates/read", DataActions.SecretsGet, DataActions.SecretsReadMetadata, P + "keys/read"],
        ["Key Vault Reader"] =
            [P + "keys/read", P + "keyrotationpolicies/read", P + "certificates/read", P + "certificatecas/read", DataActions.SecretsReadMetadata],
        ["Key Vault Data Access Administrator"] = [],
        ["Owner"] = [],
        ["Vault Contributor"] = [],
    };

    public static TheoryData<string, string, bool> RoleActionMatrix()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var (role, granted) in Granted)
        {
            foreach (var action in AllActions)
            {
                data.Add(role, action, granted.Contains(action, StringComparer.Ordinal));
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(RoleActionMatrix))]
    public void Each_role_grants_exactly_its_documented_data_actions(string role, string action, bool expected)
    {
        var definition = BuiltInRoles.Find(role);

        Assert.NotNull(definition);
        Assert.Equal(expected, definition.Grants(action));
    }

    [Fact]
    public void The_matrix_covers_every_built_in_role()
    {
        Assert.Equal(BuiltInRoles.All.Select(r => r.Name).Order(StringComparer.Ordinal), Granted.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Management_roles_grant_management_actions_and_no_data()
    {
        Assert.True(BuiltInRoles.Owner.GrantsManagement(ManagementActions.VaultsWrite));
        Assert.True(BuiltInRoles.Owner.GrantsManagement(ManagementActions.RoleAssignmentsWrite));
        Assert.True(BuiltInRoles.VaultContributor.GrantsManagement(ManagementActions.VaultsWrite));
        Assert.False(BuiltInRoles.VaultContributor.GrantsManagement(ManagementActions.RoleAssignmentsWrite));
        Assert.True(BuiltInRoles.DataAccessAdministrator.GrantsManagement(ManagementActions.RoleAssignmentsWrite));
        Assert.False(BuiltInRoles.DataAccessAdministrator.GrantsManagement(ManagementActions.VaultsWrite));
        Assert.False(BuiltInRoles.Administrator.GrantsManagement(ManagementActions.RoleAssignmentsWrite));
        Assert.All(AllActions, a => Assert.False(BuiltInRoles.Owner.Grants(a)));
    }

    [Fact]
    public void Only_the_Owner_holds_the_workload_CA_actions()
    {
        foreach (var action in new[] { ManagementActions.CaNamesWrite, ManagementActions.CaRevoke, ManagementActions.CaRotate })
        {
            Assert.Equal(["Owner"], BuiltInRoles.All.Where(r => r.GrantsManagement(action)).Select(r => r.Name));
        }
    }

    [Fact]
    public void Data_access_administrator_may_assign_exactly_the_eight_data_roles_azure_allows()
    {
        var assignable = BuiltInRoles.DataAccessAdministrator.AssignableRoleIds!;
        string[] expected =
        [
            "Key Vault Administrator", "Key Vault Certificates Officer", "Key Vault Crypto Officer",
            "Key Vault Crypto Service Encryption User", "Key Vault Crypto User", "Key Vault Reader",
            "Key Vault Secrets Officer", "Key Vault Secrets User",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), BuiltInRoles.All.Where(r => assignable.Contains(r.Id)).Select(r => r.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Reader_reads_key_metadata_but_not_secret_values()
    {
        Assert.True(BuiltInRoles.Reader.Grants(P + "keys/read"));
        Assert.True(BuiltInRoles.Reader.Grants(DataActions.SecretsReadMetadata));
        Assert.False(BuiltInRoles.Reader.Grants(DataActions.SecretsGet));
    }

    [Fact]
    public void Grants_ignore_the_case_of_the_action()
    {
        Assert.True(BuiltInRoles.SecretsUser.Grants(DataActions.SecretsGet.ToUpperInvariant()));
        Assert.True(BuiltInRoles.CryptoUser.Grants("microsoft.keyvault/vaults/keys/encrypt/action"));
        Assert.False(BuiltInRoles.SecretsUser.Grants(DataActions.SecretsSet.ToLowerInvariant()));
    }

    [Theory]
    [InlineData("Key Vault Administrator")]
    [InlineData("00482a5a-887f-4fb3-b363-3b7fe8e74483")]
    public void Find_matches_the_exact_name_or_id(string idOrName)
    {
        Assert.Same(BuiltInRoles.Administrator, BuiltInRoles.Find(idOrName));
    }

    [Theory]
    [InlineData("key vault administrator")]
    [InlineData("KEY VAULT ADMINISTRATOR")]
    [InlineData("Key Vault Administrator ")]
    [InlineData(" Key Vault Administrator")]
    [InlineData("Key  Vault Administrator")]
    [InlineData("Key Vault Admin")]
    [InlineData("KeyVaultAdministrator")]
    [InlineData("00482A5A-887F-4FB3-B363-3B7FE8E74483")]
    [InlineData("{00482a5a-887f-4fb3-b363-3b7fe8e74483}")]
    [InlineData("00482a5a887f4fb3b3633b7fe8e74483")]
    [InlineData("/providers/Microsoft.Authorization/roleDefinitions/00482a5a-887f-4fb3-b363-3b7fe8e74483")]
    [InlineData("Key Vault Administrator\u200b")]
    [InlineData("")]
    public void Find_does_not_normalise_look_alike_names_or_ids(string idOrName)
    {
        Assert.Null(BuiltInRoles.Find(idOrName));
    }

    [Fact]
    public void Role_ids_and_names_are_unique()
    {
        Assert.Equal(BuiltInRoles.All.Count, BuiltInRoles.All.Select(r => r.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(BuiltInRoles.All.Count, BuiltInRoles.All.Select(r => r.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void Data_Access_Administrator_grants_no_data_action()
    {
        Assert.DoesNotContain(AllActions, BuiltInRoles.DataAccessAdministrator.Grants);
    }
}
