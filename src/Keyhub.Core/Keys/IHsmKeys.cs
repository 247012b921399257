using System.Security.Cryptography;

namespace Keyhub.Core.Keys;

/// <summary>
/// The HSM that holds premium vaults' keys. Objects are addressed by an id Keyhub chooses; private and secret keys
/// are created sensitive and never extractable, and every operation runs in the HSM. Implementations throw
/// <see cref="HsmMechanismUnsupportedException"/> when the HSM lacks a mechanism (never falling back to software)
/// and <see cref="HsmOperationException"/> when an operation fails (a wrong tag, a bad ciphertext).
/// </summary>
public interface IHsmKeys
{
    /// <summary>Generates an RSA key pair; returns the public key.</summary>
    RSAParameters GenerateRsa(byte[] id, string label, int bits);

    /// <summary>Generates an EC key pair on a JWK curve (P-256, P-384, P-521, P-256K); returns the public point.</summary>
    ECPoint GenerateEc(byte[] id, string label, string curve);

    void GenerateAes(byte[] id, string label, int bytes);

    void ImportRsa(byte[] id, string label, RSAParameters privateKey);

    void ImportEc(byte[] id, string label, string curve, ECParameters privateKey);

    byte[] SignRsa(byte[] id, HashAlgorithmName hash, RSASignaturePadding padding, byte[] digest);

    bool VerifyRsa(byte[] id, HashAlgorithmName hash, RSASignaturePadding padding, byte[] digest, byte[] signature);

    byte[] SignEcdsa(byte[] id, byte[] digest);

    bool VerifyEcdsa(byte[] id, byte[] digest, byte[] signature);

    byte[] EncryptRsa(byte[] id, RSAEncryptionPadding padding, byte[] data);

    byte[] DecryptRsa(byte[] id, RSAEncryptionPadding padding, byte[] data);

    /// <summary>AES-GCM with a 16-byte tag: returns ciphertext ‖ tag.</summary>
    byte[] EncryptAesGcm(byte[] id, byte[] iv, byte[]? aad, byte[] plaintext);

    byte[] DecryptAesGcm(byte[] id, byte[] iv, byte[]? aad, byte[] ciphertextAndTag);

    byte[] EncryptAesCbc(byte[] id, byte[] iv, byte[] plaintext, bool pad);

    byte[] DecryptAesCbc(byte[] id, byte[] iv, byte[] ciphertext, bool pad);

    /// <summary>RFC 3394 key wrap of the given key bytes with the HSM key.</summary>
    byte[] WrapKey(byte[] id, byte[] key);

    byte[] UnwrapKey(byte[] id, byte[] wrapped);

    /// <summary>Removes every object with this id; nothing if there is none.</summary>
    void Destroy(byte[] id);
}

/// <summary>An HSM operation failed; the message names no key material.</summary>
public class HsmOperationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The HSM lacks a mechanism an algorithm needs.</summary>
public sealed class HsmMechanismUnsupportedException(string mechanism, Exception? inner = null)
    : HsmOperationException($"The HSM does not offer {mechanism}.", inner)
{
    public string Mechanism { get; } = mechanism;
}
