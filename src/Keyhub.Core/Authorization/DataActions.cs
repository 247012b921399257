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

    // Certificates (docs/certificates-wire.md §10). Reads of the policy, the pending operation and
    // deleted certificates use certificates/read; merge is a create; cancel and delete of the pending
    // operation are updates. Contacts have no read action in Azure: reading them needs the write action.
    public const string CertificatesRead = Prefix + "certificates/read";
    public const string CertificatesCreate = Prefix + "certificates/create/action";
    public const string CertificatesImport = Prefix + "certificates/import/action";
    public const string CertificatesUpdate = Prefix + "certificates/update/action";
    public const string CertificatesDelete = Prefix + "certificates/delete";
    public const string CertificatesRecover = Prefix + "certificates/recover/action";
    public const string CertificatesBackup = Prefix + "certificates/backup/action";
    public const string CertificatesRestore = Prefix + "certificates/restore/action";
    public const string CertificatesPurge = Prefix + "certificates/purge/action";
    public const string CertificateIssuersRead = Prefix + "certificatecas/read";
    public const string CertificateIssuersWrite = Prefix + "certificatecas/write";
    public const string CertificateIssuersDelete = Prefix + "certificatecas/delete";
    public const string CertificateContactsWrite = Prefix + "certificatecontacts/write";
}
