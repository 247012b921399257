namespace Keyhub.Core.Authorization;

/// <summary>
/// Actions of Keyhub's management API, separate from data actions: holding them grants no access to
/// secrets or keys. Role assignment uses Azure's own action names.
/// </summary>
public static class ManagementActions
{
    public const string VaultsRead = "Keyhub/vaults/read";
    public const string VaultsWrite = "Keyhub/vaults/write";
    public const string VaultsDelete = "Keyhub/vaults/delete";
    public const string VaultsRecover = "Keyhub/vaults/recover/action";
    public const string VaultsPurge = "Keyhub/vaults/purge/action";
    public const string PrincipalsRead = "Keyhub/principals/read";
    public const string PrincipalsWrite = "Keyhub/principals/write";
    public const string GroupsRead = "Keyhub/groups/read";
    public const string GroupsWrite = "Keyhub/groups/write";
    public const string SigningKeysRotate = "Keyhub/signingkeys/rotate/action";

    /// <summary>Seals a running deployment (Shamir): everything stops answering until a threshold of shares arrives.</summary>
    public const string Seal = "Keyhub/seal/action";

    /// <summary>Rotates the barrier: a new keyring term for new records; old terms keep decrypting.</summary>
    public const string BarrierRotate = "Keyhub/barrier/rotate/action";

    /// <summary>Reads the barrier's terms and re-encryption progress (no key material).</summary>
    public const string BarrierRead = "Keyhub/barrier/read";

    /// <summary>Removes a term nothing is encrypted under any more; backups taken under it become unrestorable.</summary>
    public const string BarrierRetire = "Keyhub/barrier/retire/action";

    /// <summary>
    /// Sets which names the workload CA issues in a vault. Not part of <see cref="VaultsWrite"/>: widening it lets
    /// the vault's team obtain certificates every workload trusts, so only the deployment Owner holds it.
    /// </summary>
    public const string CaNamesWrite = "Keyhub/ca/names/write";
    public const string CaRevoke = "Keyhub/ca/revoke/action";
    public const string CaRotate = "Keyhub/ca/rotate/action";
    public const string RoleAssignmentsRead = "Microsoft.Authorization/roleAssignments/read";
    public const string RoleAssignmentsWrite = "Microsoft.Authorization/roleAssignments/write";
    public const string RoleAssignmentsDelete = "Microsoft.Authorization/roleAssignments/delete";
}
