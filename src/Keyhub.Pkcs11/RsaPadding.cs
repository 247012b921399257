namespace Keyhub.Pkcs11;

/// <summary>RSA encryption paddings: PKCS#1 v1.5 (CKM_RSA_PKCS) and OAEP with MGF1 over the same hash (CKM_RSA_PKCS_OAEP).</summary>
public enum RsaPadding
{
    Pkcs1,
    OaepSha1,
    OaepSha256,
}
