namespace Keyhub.Core.Authorization;

/// <summary>
/// Azure Key Vault data actions (wire.md §5.2). Every data-plane operation maps to exactly one of these.
/// Operations Azure does not list: get/list deleted secrets use <see cref="SecretsReadMetadata"/> (the
/// closest read action; they return metadata, never values). For keys: get/list deleted keys and
/// <c>POST /rng</c> use <see cref="KeysRead"/>.
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

    public const string KeysRead = Prefix + "keys/read";
    public const string KeysCreate = Prefix + "keys/create/action";
    public const string KeysImport = Prefix + "keys/import/action";
    public const string KeysUpdate = Prefix + "keys/update/action";
    public const string KeysDelete = Prefix + "keys/delete";
    public const string KeysRecover = Prefix + "keys/recover/action";
    public const string KeysBackup = Prefix + "keys/backup/action";
    public const string KeysRestore = Prefix + "keys/restore/action";
    public const string KeysPurge = Prefix + "keys/purge/action";
    public const string KeysRotate = Prefix + "keys/rotate/action";
    public const string KeysEncrypt = Prefix + "keys/encrypt/action";
    public const string KeysDecrypt = Prefix + "keys/decrypt/action";
    public const string KeysWrap = Prefix + "keys/wrap/action";
    public const string KeysUnwrap = Prefix + "keys/unwrap/action";
    public const string KeysSign = Prefix + "keys/sign/action";
    public const string KeysVerify = Prefix + "keys/verify/action";
    public const string KeysRelease = Prefix + "keys/release/action";
    public const string KeyRotationPolicyRead = Prefix + "keyrotationpolicies/read";
    public const string KeyRotationPolicyWrite = Prefix + "keyrotationpolicies/write";
}
