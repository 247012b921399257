using System.Security.Cryptography;

namespace Keyhub.Pkcs11;

/// <summary>
/// CKM_RSA_PKCS signs whatever it is given, so RSASSA-PKCS1-v1_5 over a precomputed digest needs the
/// DER DigestInfo built here (RFC 8017 §9.2 note 1):
/// <code>
///   SEQUENCE { SEQUENCE { OID hash, NULL }, OCTET STRING digest }
///   = fixed 19-byte prefix per hash | digest
/// </code>
/// </summary>
internal static class DigestInfo
{
    private static readonly byte[] Sha256Prefix =
        [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

    private static readonly byte[] Sha384Prefix =
        [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30];

    private static readonly byte[] Sha512Prefix =
        [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40];

    public static byte[] Build(HashAlgorithmName hash, ReadOnlySpan<byte> digest)
    {
        var prefix = hash.Name switch
        {
            "SHA256" => Sha256Prefix,
            "SHA384" => Sha384Prefix,
            "SHA512" => Sha512Prefix,
            _ => throw new ArgumentException($"RSA signatures take SHA-256, SHA-384 or SHA-512, not {hash.Name}", nameof(hash)),
        };
        HashParameters.CheckDigest(hash, digest);
        return [.. prefix, .. digest];
    }
}
