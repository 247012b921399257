using System.Security.Cryptography;
using Keyhub.Core.Keys;
using Keyhub.Pkcs11;

namespace Keyhub.Server.Hsm;

/// <summary>
/// Premium vaults' keys on a PKCS#11 token: <see cref="IHsmKeys"/> over <see cref="Pkcs11Token"/>, translating its
/// errors into the engine's (a missing mechanism stays a missing mechanism, so the engine can name the algorithm).
/// </summary>
public sealed class Pkcs11Keys(Pkcs11Token token) : IHsmKeys
{
    private static readonly byte[] PublicExponent = [0x01, 0x00, 0x01];

    public RSAParameters GenerateRsa(byte[] id, string label, int bits) => Run(() =>
    {
        var pub = token.GenerateRsaKeyPair(id, label, bits, PublicExponent);
        return new RSAParameters { Modulus = pub.Modulus, Exponent = pub.Exponent };
    });

    public ECPoint GenerateEc(byte[] id, string label, string curve) => Run(() =>
    {
        var pub = token.GenerateEcKeyPair(id, label, curve);
        return new ECPoint { X = pub.X, Y = pub.Y };
    });

    public void GenerateAes(byte[] id, string label, int bytes) => Run(() => token.GenerateAesKey(id, label, bytes));

    public void ImportRsa(byte[] id, string label, RSAParameters privateKey) => Run(() => token.ImportRsaPrivateKey(id, label, privateKey));

    public void ImportEc(byte[] id, string label, string curve, ECParameters privateKey) => Run(() => token.ImportEcPrivateKey(id, label, curve, privateKey));

    public byte[] SignRsa(byte[] id, HashAlgorithmName hash, RSASignaturePadding padding, byte[] digest) =>
        Run(() => padding == RSASignaturePadding.Pss ? token.SignRsaPss(id, hash, digest) : token.SignRsaPkcs1(id, hash, digest));

    public bool VerifyRsa(byte[] id, HashAlgorithmName hash, RSASignaturePadding padding, byte[] digest, byte[] signature) =>
        Run(() => padding == RSASignaturePadding.Pss ? token.VerifyRsaPss(id, hash, digest, signature) : token.VerifyRsaPkcs1(id, hash, digest, signature));

    public byte[] SignEcdsa(byte[] id, byte[] digest) => Run(() => token.SignEcdsa(id, digest));

    public bool VerifyEcdsa(byte[] id, byte[] digest, byte[] signature) => Run(() => token.VerifyEcdsa(id, digest, signature));

    public byte[] EncryptRsa(byte[] id, RSAEncryptionPadding padding, byte[] data) => Run(() => token.EncryptRsa(id, Padding(padding), data));

    public byte[] DecryptRsa(byte[] id, RSAEncryptionPadding padding, byte[] data) => Run(() => token.DecryptRsa(id, Padding(padding), data));

    public byte[] EncryptAesGcm(byte[] id, byte[] iv, byte[]? aad, byte[] plaintext) => Run(() => token.EncryptAesGcm(id, iv, aad ?? [], plaintext, 16));

    public byte[] DecryptAesGcm(byte[] id, byte[] iv, byte[]? aad, byte[] ciphertextAndTag) => Run(() => token.DecryptAesGcm(id, iv, aad ?? [], ciphertextAndTag, 16));

    public byte[] EncryptAesCbc(byte[] id, byte[] iv, byte[] plaintext, bool pad) =>
        Run(() => pad ? token.EncryptAesCbcPad(id, iv, plaintext) : token.EncryptAesCbc(id, iv, plaintext));

    public byte[] DecryptAesCbc(byte[] id, byte[] iv, byte[] ciphertext, bool pad) =>
        Run(() => pad ? token.DecryptAesCbcPad(id, iv, ciphertext) : token.DecryptAesCbc(id, iv, ciphertext));

    public byte[] WrapKey(byte[] id, byte[] key) => Run(() => token.WrapKeyAes(id, key));

    public byte[] UnwrapKey(byte[] id, byte[] wrapped) => Run(() => token.UnwrapKeyAes(id, wrapped));

    public void Destroy(byte[] id) => Run(() => token.Destroy(id));

    private static RsaPadding Padding(RSAEncryptionPadding padding) =>
        padding == RSAEncryptionPadding.Pkcs1 ? RsaPadding.Pkcs1
        : padding == RSAEncryptionPadding.OaepSHA1 ? RsaPadding.OaepSha1
        : padding == RSAEncryptionPadding.OaepSHA256 ? RsaPadding.OaepSha256
        : throw new HsmMechanismUnsupportedException(padding.ToString());

    private static void Run(Action operation) => Run(() =>
    {
        operation();
        return true;
    });

    private static T Run<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Pkcs11MechanismUnsupportedException ex)
        {
            // The mechanism and, where it matters, its parameters ("CKM_RSA_PKCS_OAEP (SHA-256, MGF1-SHA-256)").
            throw new HsmMechanismUnsupportedException(ex.Detail is null ? ex.Mechanism : $"{ex.Mechanism} ({ex.Detail})", ex);
        }
        catch (Pkcs11Exception ex)
        {
            throw new HsmOperationException(ex.Message, ex);
        }
    }
}
