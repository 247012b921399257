using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;

namespace Keyhub.Pkcs11;

/// <summary>The Cryptoki names for a hash: the digest mechanism and the MGF1 generator built on it.</summary>
internal static class HashParameters
{
    public static (CKM Hash, CKG Mgf, int Length) Of(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA1" => (CKM.CKM_SHA_1, CKG.CKG_MGF1_SHA1, 20),
        "SHA256" => (CKM.CKM_SHA256, CKG.CKG_MGF1_SHA256, 32),
        "SHA384" => (CKM.CKM_SHA384, CKG.CKG_MGF1_SHA384, 48),
        "SHA512" => (CKM.CKM_SHA512, CKG.CKG_MGF1_SHA512, 64),
        _ => throw new ArgumentException($"unsupported hash {hash.Name}", nameof(hash)),
    };

    public static void CheckDigest(HashAlgorithmName hash, ReadOnlySpan<byte> digest)
    {
        var expected = Of(hash).Length;
        if (digest.Length != expected)
        {
            throw new ArgumentException($"a {hash.Name} digest has {expected} bytes, not {digest.Length}", nameof(digest));
        }
    }
}
