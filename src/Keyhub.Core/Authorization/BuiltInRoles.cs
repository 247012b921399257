namespace Keyhub.Core.Authorization;

/// <summary>
/// Azure's built-in Key Vault data roles, with their exact ids, names and data actions (wire.md §5.1),
/// and Keyhub's two management roles.
/// </summary>
public static class BuiltInRoles
{
    private const string P = "Microsoft.KeyVault/vaults/";

    public static readonly RoleDefinition Administrator = new("00482a5a-887f-4fb3-b363-3b7fe8e74483", "Key Vault Administrator", [P + "*"])
    {
        Actions = [ManagementActions.VaultsRead],
    };
    public static readonly RoleDefinition CryptoOfficer = new("14b46e9e-c2b7-41b4-b07b-48a6ebf60603", "Key Vault Crypto Officer", [P + "keys/*", P + "keyrotationpolicies/*"]);
    public static readonly RoleDefinition CryptoUser = new("12338af0-0e69-4776-bea7-57ae8d297424", "Key Vault Crypto User",
        [P + "keys/read", P + "keys/update/action", P + "keys/backup/action", P + "keys/encrypt/action", P + "keys/decrypt/action",
         P + "keys/wrap/action", P + "keys/unwrap/action", P + "keys/sign/action", P + "keys/verify/action"]);
    public static readonly RoleDefinition CryptoServiceEncryptionUser = new("e147488a-f6f5-4113-8e2d-b22465e65bf6", "Key Vault Crypto Service Encryption User",
        [P + "keys/read", P + "keys/wrap/action", P + "keys/unwrap/action"]);
    public static readonly RoleDefinition SecretsOfficer = new("b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "Key Vault Secrets Officer", [P + "secrets/*"]);
    public static readonly RoleDefinition SecretsUser = new("4633458b-17de-408a-b874-0445c86b69e6", "Key Vault Secrets User",
        [P + "secrets/getSecret/action", P + "secrets/readMetadata/action"]);
    public static readonly RoleDefinition CertificatesOfficer = new("a4417e6f-fecd-4de8-b567-7b0420556985", "Key Vault Certificates Officer",
        [P + "certificatecas/*", P + "certificates/*", P + "certificatecontacts/write"]);
    public static readonly RoleDefinition CertificateUser = new("db79e9a7-68ee-4b58-9aeb-b90e7c24fcba", "Key Vault Certificate User",
        [P + "certificates/read", P + "secrets/getSecret/action", P + "secrets/readMetadata/action", P + "keys/read"]);
    public static readonly RoleDefinition Reader = new("21090545-7ca7-4776-b22c-e363652d74d2", "Key Vault Reader", [P + "*/read", P + "secrets/readMetadata/action"]);
    /// <summary>
    /// Manages access, not data: may assign and remove exactly the eight Key Vault data roles Azure's
    /// condition allows, at or below its own scope — never itself, Owner or Vault Contributor.
    /// </summary>
    public static readonly RoleDefinition DataAccessAdministrator = new("8b54135c-b56d-4d72-a534-26097cfdc8d8", "Key Vault Data Access Administrator", [])
    {
        Actions =
        [
            ManagementActions.RoleAssignmentsRead, ManagementActions.RoleAssignmentsWrite, ManagementActions.RoleAssignmentsDelete,
            ManagementActions.VaultsRead, ManagementActions.PrincipalsRead, ManagementActions.GroupsRead,
        ],
        AssignableRoleIds = new HashSet<string>(StringComparer.Ordinal)
        {
            "00482a5a-887f-4fb3-b363-3b7fe8e74483", // Administrator
            "a4417e6f-fecd-4de8-b567-7b0420556985", // Certificates Officer
            "14b46e9e-c2b7-41b4-b07b-48a6ebf60603", // Crypto Officer
            "e147488a-f6f5-4113-8e2d-b22465e65bf6", // Crypto Service Encryption User
            "12338af0-0e69-4776-bea7-57ae8d297424", // Crypto User
            "21090545-7ca7-4776-b22c-e363652d74d2", // Reader
            "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", // Secrets Officer
            "4633458b-17de-408a-b874-0445c86b69e6", // Secrets User
        },
    };

    /// <summary>Keyhub's deployment owner: vault lifecycle, principals, groups, any role assignment, seal — and no data access.</summary>
    public static readonly RoleDefinition Owner = new("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner", []) { Actions = ["*"] };

    /// <summary>Manages vault properties; no data access and no role assignments.</summary>
    public static readonly RoleDefinition VaultContributor = new("f25e0fa2-a7c8-4377-a976-54943a77a395", "Vault Contributor", [])
    {
        Actions = [ManagementActions.VaultsRead, ManagementActions.VaultsWrite],
    };

    public static IReadOnlyList<RoleDefinition> All { get; } =
    [
        Administrator, CryptoOfficer, CryptoUser, CryptoServiceEncryptionUser, SecretsOfficer, SecretsUser,
        CertificatesOfficer, CertificateUser, Reader, DataAccessAdministrator, Owner, VaultContributor,
    ];

    /// <summary>Finds a role by exact id or exact name (no normalisation, so look-alike names do not match).</summary>
    public static RoleDefinition? Find(string idOrName) =>
        All.FirstOrDefault(r => r.Id == idOrName || r.Name == idOrName);
}
