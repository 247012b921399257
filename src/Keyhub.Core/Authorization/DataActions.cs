namespace Keyhub.Core.Authorization;

/// <summary>
/// Azure Key Vault data actions (wire.md §5.2). Every data-plane operation maps to exactly one of these.
/// Operations Azure does not list: get/list deleted secrets use <see cref="SecretsReadMetadata"/> (the
/// closest read action; they return metadata, never values).
/// </summary>
public static class DataActions
{
    private const string Prefix = "Microsoft.KeyVault/vaults/";
    public const string SecretsGet = Prefix + "secrets/getSecret/action";
    public const string SecretsReadMetadata = Prefix + "secrets/readMetadata/action";
    public const string SecretsSet = Prefix + "secrets/setSecret/action";
    public const string SecretsUpdate = Prefix + "secrets/update/action";
    public const string SecretsDelete = Prefix + "secrets/delete";
    public const string SecretsRecover = Prefix + "secrets/recover/action";
    public const string SecretsBackup = Prefix + "secrets/backup/action";
    public const string SecretsRestore = Prefix + "secrets/restore/action";
    public const string SecretsPurge = Prefix + "secrets/purge/action";
}
