using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using NativePkcs11Exception = Net.Pkcs11Interop.Common.Pkcs11Exception;

namespace Keyhub.Pkcs11;

// Encryption in the token: RSA with the key pair's public object (encrypt) and private object (decrypt),
// AES-GCM and AES-CBC-PAD with a secret key. Failed decryptions all read "decryption failed" (or
// "authentication failed" for GCM) whatever the module's reason, so the message cannot serve as a padding
// oracle; the edge collapses them further.
public sealed partial class Pkcs11Token
{
    private const int AesBlockBytes = 16;

    /// <summary>RSA encryption with the public key object (CKM_RSA_PKCS or CKM_RSA_PKCS_OAEP).</summary>
    public byte[] EncryptRsa(byte[] id, RsaPadding padding, ReadOnlySpan<byte> data)
    {
        CheckId(id);
        var (name, detail) = RsaMechanismName(padding);
        Require(name);
        var input = data.ToArray();
        try
        {
            return Run("C_Encrypt", session =>
            {
                var key = FindKey(session, id, CKO.CKO_PUBLIC_KEY, CKK.CKK_RSA, "RSA public key");
                using var mechanism = RsaMechanism(padding);
                return session.Encrypt(mechanism.Mechanism, key, input);
            }, RsaUnsupported(name, detail));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>RSA decryption with the private key object; a wrong ciphertext throws "decryption failed".</summary>
    public byte[] DecryptRsa(byte[] id, RsaPadding padding, ReadOnlySpan<byte> data)
    {
        CheckId(id);
        var (name, detail) = RsaMechanismName(padding);
        Require(name);
        var input = data.ToArray();
        var unsupported = RsaUnsupported(name, detail);
        return Run("C_Decrypt", session =>
        {
            var key = FindKey(session, id, CKO.CKO_PRIVATE_KEY, CKK.CKK_RSA, "RSA private key");
            using var mechanism = RsaMechanism(padding);
            return session.Decrypt(mechanism.Mechanism, key, input);
        }, e => unsupported(e) ?? DecryptionFailed(e, "decryption failed"));
    }

    /// <summary>AES-GCM in the token; returns ciphertext || tag (tag of <paramref name="tagBytes"/>, 12 to 16).</summary>
    public byte[] EncryptAesGcm(byte[] id, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, int tagBytes)
    {
        CheckId(id);
        CheckGcm(iv, tagBytes);
        Require(nameof(CKM.CKM_AES_GCM));
        var (ivArray, aadArray) = (iv.ToArray(), aad.ToArray());
        var input = plaintext.ToArray();
        try
        {
            return Run("C_Encrypt", session =>
            {
                var key = FindKey(session, id, CKO.CKO_SECRET_KEY, CKK.CKK_AES, "AES key");
                using var mechanism = GcmMechanism(ivArray, aadArray, tagBytes);
                return session.Encrypt(mechanism.Mechanism, key, input);
            }, Unsupported(nameof(CKM.CKM_AES_GCM)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>Checks the tag and decrypts ciphertext || tag; a wrong key, IV, AAD or tag throws "authentication failed".</summary>
    public byte[] DecryptAesGcm(byte[] id, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertextAndTag, int tagBytes)
    {
        CheckId(id);
        CheckGcm(iv, tagBytes);
        if (ciphertextAndTag.Length < tagBytes)
        {
            throw new Pkcs11Exception("authentication failed");
        }

        Require(nameof(CKM.CKM_AES_GCM));
        var (ivArray, aadArray, input) = (iv.ToArray(), aad.ToArray(), ciphertextAndTag.ToArray());
        var unsupported = Unsupported(nameof(CKM.CKM_AES_GCM));
        return Run("C_Decrypt", session =>
        {
            var key = FindKey(session, id, CKO.CKO_SECRET_KEY, CKK.CKK_AES, "AES key");
            using var mechanism = GcmMechanism(ivArray, aadArray, tagBytes);
            return session.Decrypt(mechanism.Mechanism, key, input);
        }, e => unsupported(e) ?? DecryptionFailed(e, "authentication failed"));
    }

    /// <summary>AES-CBC with PKCS#7 padding (CKM_AES_CBC_PAD) and a 16-byte IV.</summary>
    public byte[] EncryptAesCbcPad(byte[] id, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext)
    {
        CheckId(id);
        CheckCbcIv(iv);
        Require(nameof(CKM.CKM_AES_CBC_PAD));
        var ivArray = iv.ToArray();
        var input = plaintext.ToArray();
        try
        {
            return Run("C_Encrypt", session =>
            {
                var key = FindKey(session, id, CKO.CKO_SECRET_KEY, CKK.CKK_AES, "AES key");
                using var mechanism = new OwnedMechanism(Factories.MechanismFactory.Create(CKM.CKM_AES_CBC_PAD, ivArray));
                return session.Encrypt(mechanism.Mechanism, key, input);
            }, Unsupported(nameof(CKM.CKM_AES_CBC_PAD)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>Decrypts AES-CBC-PAD; bad padding or length throws "decryption failed".</summary>
    public byte[] DecryptAesCbcPad(byte[] id, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext)
    {
        CheckId(id);
        CheckCbcIv(iv);
        if (ciphertext.IsEmpty || ciphertext.Length % AesBlockBytes != 0)
        {
            throw new Pkcs11Exception("decryption failed");
        }

        Require(nameof(CKM.CKM_AES_CBC_PAD));
        var (ivArray, input) = (iv.ToArray(), ciphertext.ToArray());
        var unsupported = Unsupported(nameof(CKM.CKM_AES_CBC_PAD));
        return Run("C_Decrypt", session =>
        {
            var key = FindKey(session, id, CKO.CKO_SECRET_KEY, CKK.CKK_AES, "AES key");
            using var mechanism = new OwnedMechanism(Factories.MechanismFactory.Create(CKM.CKM_AES_CBC_PAD, ivArray));
            return session.Decrypt(mechanism.Mechanism, key, input);
        }, e => unsupported(e) ?? DecryptionFailed(e, "decryption failed"));
    }

    private static (string Name, string? Detail) RsaMechanismName(RsaPadding padding) => padding switch
    {
        RsaPadding.Pkcs1 => (nameof(CKM.CKM_RSA_PKCS), null),
        RsaPadding.OaepSha1 => (nameof(CKM.CKM_RSA_PKCS_OAEP), "SHA-1, MGF1-SHA-1"),
        RsaPadding.OaepSha256 => (nameof(CKM.CKM_RSA_PKCS_OAEP), "SHA-256, MGF1-SHA-256"),
        _ => throw new ArgumentOutOfRangeException(nameof(padding), padding, "unknown RSA padding"),
    };

    private OwnedMechanism RsaMechanism(RsaPadding padding)
    {
        if (padding == RsaPadding.Pkcs1)
        {
            return Plain(CKM.CKM_RSA_PKCS);
        }

        var (hash, mgf, _) = HashParameters.Of(padding == RsaPadding.OaepSha1 ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256);
        var parameters = Factories.MechanismParamsFactory.CreateCkRsaPkcsOaepParams((ulong)hash, (ulong)mgf, CKZ.CKZ_DATA_SPECIFIED, null);
        return new OwnedMechanism(Factories.MechanismFactory.Create(CKM.CKM_RSA_PKCS_OAEP, parameters), parameters);
    }

    /// <summary>
    /// Besides the standard answers, SoftHSM2 2.6 rejects OAEP parameters it does not implement (any hash
    /// but SHA-1) at C_EncryptInit/C_DecryptInit with CKR_ARGUMENTS_BAD. Our parameter block is well formed,
    /// so at the init step that answer can only mean "not these parameters".
    /// </summary>
    private static Func<NativePkcs11Exception, Pkcs11Exception?> RsaUnsupported(string mechanism, string? detail) =>
        e => e.RV is CKR.CKR_MECHANISM_INVALID or CKR.CKR_MECHANISM_PARAM_INVALID
             || (detail is not null && e.RV == CKR.CKR_ARGUMENTS_BAD && e.Method.EndsWith("Init", StringComparison.Ordinal))
            ? new Pkcs11MechanismUnsupportedException(mechanism, detail, e)
            : null;

    private OwnedMechanism GcmMechanism(byte[] iv, byte[] aad, int tagBytes)
    {
        var parameters = Factories.MechanismParamsFactory.CreateCkGcmParams(iv, (ulong)iv.Length * 8, aad, (ulong)tagBytes * 8);
        return new OwnedMechanism(Factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters), parameters);
    }

    /// <summary>Init failures (wrong key, no permission) keep their code; failures of the decryption itself do not.</summary>
    private Pkcs11Exception DecryptionFailed(NativePkcs11Exception e, string message) =>
        e.Method.EndsWith("Init", StringComparison.Ordinal)
            ? new Pkcs11Exception($"{e.Method} failed on token '{_tokenLabel}' ({e.RV})", e)
            : new Pkcs11Exception(message);

    private static void CheckGcm(ReadOnlySpan<byte> iv, int tagBytes)
    {
        if (iv.IsEmpty)
        {
            throw new ArgumentException("the GCM IV must not be empty", nameof(iv));
        }

        if (tagBytes is < 12 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(tagBytes), tagBytes, "a GCM tag has 12 to 16 bytes");
        }
    }

    private static void CheckCbcIv(ReadOnlySpan<byte> iv)
    {
        if (iv.Length != AesBlockBytes)
        {
            throw new ArgumentException("the CBC IV has 16 bytes", nameof(iv));
        }
    }
}
