using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;

namespace Keyhub.Pkcs11;

/// <summary>AES-CBC without padding (CKM_AES_CBC): whole blocks in, whole blocks out.</summary>
public sealed partial class Pkcs11Token
{
    public byte[] EncryptAesCbc(byte[] id, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext)
    {
        CheckId(id);
        CheckCbcIv(iv);
        if (plaintext.IsEmpty || plaintext.Length % AesBlockBytes != 0)
        {
            throw new Pkcs11Exception("AES-CBC without padding takes whole 16-byte blocks");
        }
        Require(nameof(CKM.CKM_AES_CBC));
        var ivArray = iv.ToArray();
        var input = plaintext.ToArray();
        try
        {
            return Run("C_Encrypt", session =>
            {
                var key = FindKey(session, id, CKO.CKO_SECRET_KEY, CKK.CKK_AES, "AES key");
                using var mechanism = new OwnedMechanism(Factories.MechanismFactory.Create(CKM.CKM_AES_CBC, ivArray));
                return session.Encrypt(mechanism.Mechanism, key, input);
            }, Unsupported(nameof(CKM.CKM_AES_CBC)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    public byte[] DecryptAesCbc(byte[] id, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext)
    {
        CheckId(id);
        CheckCbcIv(iv);
        if (ciphertext.IsEmpty || ciphertext.Length % AesBlockBytes != 0)
        {
            throw new Pkcs11Exception("decryption failed");
        }
        Require(nameof(CKM.CKM_AES_CBC));
        var (ivArray, input) = (iv.ToArray(), ciphertext.ToArray());
        var unsupported = Unsupported(nameof(CKM.CKM_AES_CBC));
        return Run("C_Decrypt", session =>
        {
            var key = FindKey(session, id, CKO.CKO_SECRET_KEY, CKK.CKK_AES, "AES key");
            using var mechanism = new OwnedMechanism(Factories.MechanismFactory.Create(CKM.CKM_AES_CBC, ivArray));
            return session.Decrypt(mechanism.Mechanism, key, input);
        }, e => unsupported(e) ?? DecryptionFailed(e, "decryption failed"));
    }
}
