using System.Security.Cryptography;

namespace Keyhub.Core.Keys;

/// <summary>JOSE algorithm names Keyhub accepts, and what each means in .NET terms.</summary>
public static class KeyAlgorithms
{
    public static readonly IReadOnlyDictionary<string, RSAEncryptionPadding> RsaEncryption = new Dictionary<string, RSAEncryptionPadding>(StringComparer.Ordinal)
    {
        ["RSA1_5"] = RSAEncryptionPadding.Pkcs1,
        // RSA-OAEP is defined with SHA-1 (RFC 7518 §4.3); the wire demands it.
        ["RSA-OAEP"] = RSAEncryptionPadding.OaepSHA1,
        ["RSA-OAEP-256"] = RSAEncryptionPadding.OaepSHA256,
    };

    public static readonly IReadOnlyDictionary<string, (HashAlgorithmName Hash, RSASignaturePadding Padding, int DigestSize)> RsaSignature =
        new Dictionary<string, (HashAlgorithmName, RSASignaturePadding, int)>(StringComparer.Ordinal)
        {
            ["RS256"] = (HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, 32),
            ["RS384"] = (HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1, 48),
            ["RS512"] = (HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1, 64),
            ["PS256"] = (HashAlgorithmName.SHA256, RSASignaturePadding.Pss, 32),
            ["PS384"] = (HashAlgorithmName.SHA384, RSASignaturePadding.Pss, 48),
            ["PS512"] = (HashAlgorithmName.SHA512, RSASignaturePadding.Pss, 64),
        };

    /// <summary>ECDSA algorithm → the one curve it is defined on and its digest size.</summary>
    public static readonly IReadOnlyDictionary<string, (string Curve, int DigestSize)> EcSignature =
        new Dictionary<string, (string, int)>(StringComparer.Ordinal)
        {
            ["ES256"] = (Curves.P256, 32),
            ["ES384"] = (Curves.P384, 48),
            ["ES512"] = (Curves.P521, 64),
            ["ES256K"] = (Curves.P256K, 32),
        };

    /// <summary>AES algorithms: mode and the key size (bits) each requires.</summary>
    public static readonly IReadOnlyDictionary<string, (AesMode Mode, int KeySize)> Aes =
        new Dictionary<string, (AesMode, int)>(StringComparer.Ordinal)
        {
            ["A128GCM"] = (AesMode.Gcm, 128),
            ["A192GCM"] = (AesMode.Gcm, 192),
            ["A256GCM"] = (AesMode.Gcm, 256),
            ["A128CBC"] = (AesMode.Cbc, 128),
            ["A192CBC"] = (AesMode.Cbc, 192),
            ["A256CBC"] = (AesMode.Cbc, 256),
            ["A128CBCPAD"] = (AesMode.CbcPad, 128),
            ["A192CBCPAD"] = (AesMode.CbcPad, 192),
            ["A256CBCPAD"] = (AesMode.CbcPad, 256),
            ["A128KW"] = (AesMode.KeyWrap, 128),
            ["A192KW"] = (AesMode.KeyWrap, 192),
            ["A256KW"] = (AesMode.KeyWrap, 256),
        };
}

public enum AesMode
{
    Gcm,
    Cbc,
    CbcPad,
    KeyWrap,
}
