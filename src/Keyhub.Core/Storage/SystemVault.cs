namespace Keyhub.Core.Storage;

/// <summary>
/// The pseudo-vault that holds deployment records (seal, keyring, principals, role assignments, vaults).
/// Its name cannot collide with a real vault: vault names are 3–24 letters, digits and hyphens.
/// </summary>
public static class SystemVault
{
    public const string Name = "_sys";
}
