using System.Security.Cryptography;
using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Keys;

/// <summary>
/// The operations on a premium vault's -HSM key, each one performed by the HSM on the object the key version names.
/// Algorithms are checked exactly as for software keys (<see cref="KeyCrypto"/>); a mechanism the HSM lacks is a 400
/// naming the algorithm, never a software fallback; a failed decryption is the same opaque error as in software.
/// </summary>
internal static class HsmKeyCrypto
{
    public static KeyOperationResultParts Encrypt(IHsmKeys hsm, HsmKey key, KeyOperationInput input)
    {
        if (key.Kty == KeyTypes.Rsa)
        {
            var padding = KeyCrypto.RsaPadding(input.Algorithm, "encrypt");
            KeyCrypto.RefuseAesFields(input);
            return new(Run(input.Algorithm, () => hsm.EncryptRsa(key.Id, padding, input.Value), tooLong: true));
        }
        var (mode, _) = KeyCrypto.AesAlgorithm(key.Kty, key.Size, input.Algorithm, "encrypt");
        switch (mode)
        {
            case AesMode.Gcm:
            {
                if (input.Iv is not null || input.AuthenticationTag is not null)
                {
                    throw E.BadParameter("Keyhub generates the IV for AES-GCM encryption and returns the tag; send neither 'iv' nor 'tag'.");
                }
                var nonce = RandomNumberGenerator.GetBytes(KeyCrypto.GcmNonceSize);
                var sealedValue = Run(input.Algorithm, () => hsm.EncryptAesGcm(key.Id, nonce, input.AdditionalAuthenticatedData, input.Value));
                var ciphertext = sealedValue[..^KeyCrypto.GcmTagSize];
                var tag = sealedValue[^KeyCrypto.GcmTagSize..];
                return new(ciphertext) { Iv = nonce, Tag = tag, Aad = input.AdditionalAuthenticatedData };
            }
            case AesMode.Cbc or AesMode.CbcPad:
            {
                var iv = KeyCrypto.RequireCbcIv(input);
                if (mode == AesMode.Cbc && (input.Value.Length == 0 || input.Value.Length % 16 != 0))
                {
                    throw E.BadParameter($"{input.Algorithm} needs a non-empty plaintext whose length is a multiple of 16 bytes; use {input.Algorithm}PAD for other lengths.");
                }
                return new(Run(input.Algorithm, () => hsm.EncryptAesCbc(key.Id, iv, input.Value, pad: mode == AesMode.CbcPad))) { Iv = iv };
            }
            default:
                throw E.BadParameter($"{input.Algorithm} is a key-wrap algorithm: use wrapKey.");
        }
    }

    public static byte[] Decrypt(IHsmKeys hsm, HsmKey key, KeyOperationInput input)
    {
        if (key.Kty == KeyTypes.Rsa)
        {
            var padding = KeyCrypto.RsaPadding(input.Algorithm, "decrypt");
            KeyCrypto.RefuseAesFields(input);
            return Opaque(input.Algorithm, () => hsm.DecryptRsa(key.Id, padding, input.Value));
        }
        var (mode, _) = KeyCrypto.AesAlgorithm(key.Kty, key.Size, input.Algorithm, "decrypt");
        switch (mode)
        {
            case AesMode.Gcm:
            {
                if (input.Iv is not { Length: KeyCrypto.GcmNonceSize } || input.AuthenticationTag is not { Length: KeyCrypto.GcmTagSize })
                {
                    throw E.BadParameter($"AES-GCM decryption needs the {KeyCrypto.GcmNonceSize}-byte 'iv' and {KeyCrypto.GcmTagSize}-byte 'tag' that encryption returned.");
                }
                return Opaque(input.Algorithm, () => hsm.DecryptAesGcm(key.Id, input.Iv, input.AdditionalAuthenticatedData, [.. input.Value, .. input.AuthenticationTag]));
            }
            case AesMode.Cbc or AesMode.CbcPad:
            {
                var iv = KeyCrypto.RequireCbcIv(input);
                if (input.Value.Length == 0 || input.Value.Length % 16 != 0)
                {
                    throw KeyCrypto.DecryptionFailed();
                }
                return Opaque(input.Algorithm, () => hsm.DecryptAesCbc(key.Id, iv, input.Value, pad: mode == AesMode.CbcPad));
            }
            default:
                throw E.BadParameter($"{input.Algorithm} is a key-wrap algorithm: use unwrapKey.");
        }
    }

    public static byte[] WrapKey(IHsmKeys hsm, HsmKey key, KeyOperationInput input)
    {
        if (key.Kty == KeyTypes.Rsa)
        {
            var padding = KeyCrypto.RsaPadding(input.Algorithm, "wrapKey");
            KeyCrypto.RefuseAesFields(input);
            return Run(input.Algorithm, () => hsm.EncryptRsa(key.Id, padding, input.Value), tooLong: true);
        }
        var (mode, _) = KeyCrypto.AesAlgorithm(key.Kty, key.Size, input.Algorithm, "wrapKey");
        if (mode != AesMode.KeyWrap)
        {
            throw E.BadParameter($"wrapKey with an oct key takes A128KW, A192KW or A256KW, not {input.Algorithm}.");
        }
        if (input.Value.Length < 16 || input.Value.Length % 8 != 0)
        {
            throw E.BadParameter("AES key wrap takes key data of at least 16 bytes, in multiples of 8.");
        }
        return Run(input.Algorithm, () => hsm.WrapKey(key.Id, input.Value));
    }

    public static byte[] UnwrapKey(IHsmKeys hsm, HsmKey key, KeyOperationInput input)
    {
        if (key.Kty == KeyTypes.Rsa)
        {
            var padding = KeyCrypto.RsaPadding(input.Algorithm, "unwrapKey");
            return Opaque(input.Algorithm, () => hsm.DecryptRsa(key.Id, padding, input.Value));
        }
        var (mode, _) = KeyCrypto.AesAlgorithm(key.Kty, key.Size, input.Algorithm, "unwrapKey");
        if (mode != AesMode.KeyWrap)
        {
            throw E.BadParameter($"unwrapKey with an oct key takes A128KW, A192KW or A256KW, not {input.Algorithm}.");
        }
        if (input.Value.Length < AesKeyWrap.MinimumWrappedSize || input.Value.Length % AesKeyWrap.BlockSize != 0)
        {
            throw KeyCrypto.DecryptionFailed();
        }
        return Opaque(input.Algorithm, () => hsm.UnwrapKey(key.Id, input.Value));
    }

    public static byte[] Sign(IHsmKeys hsm, HsmKey key, KeyOperationInput input)
    {
        switch (key.Kty)
        {
            case KeyTypes.Rsa:
            {
                var (hash, padding, digestSize) = KeyCrypto.RsaSignatureAlgorithm(input.Algorithm);
                KeyCrypto.RequireDigest(input.Value, digestSize, input.Algorithm);
                return Run(input.Algorithm, () => hsm.SignRsa(key.Id, hash, padding, input.Value));
            }
            case KeyTypes.Ec:
            {
                var digestSize = KeyCrypto.EcAlgorithm(key.Public, input.Algorithm);
                KeyCrypto.RequireDigest(input.Value, digestSize, input.Algorithm);
                return Run(input.Algorithm, () => hsm.SignEcdsa(key.Id, input.Value));
            }
            default:
                throw E.BadParameter("oct keys do not sign; use an RSA or EC key.");
        }
    }

    public static bool Verify(IHsmKeys hsm, HsmKey key, KeyOperationInput input)
    {
        var signature = input.Signature ?? throw E.BadParameter("The signature ('value') is required.");
        switch (key.Kty)
        {
            case KeyTypes.Rsa:
            {
                var (hash, padding, digestSize) = KeyCrypto.RsaSignatureAlgorithm(input.Algorithm);
                KeyCrypto.RequireDigest(input.Value, digestSize, input.Algorithm);
                return RunBool(input.Algorithm, () => hsm.VerifyRsa(key.Id, hash, padding, input.Value, signature));
            }
            case KeyTypes.Ec:
            {
                var digestSize = KeyCrypto.EcAlgorithm(key.Public, input.Algorithm);
                KeyCrypto.RequireDigest(input.Value, digestSize, input.Algorithm);
                return RunBool(input.Algorithm, () => hsm.VerifyEcdsa(key.Id, input.Value, signature));
            }
            default:
                throw E.BadParameter("oct keys do not verify signatures; use an RSA or EC key.");
        }
    }

    /// <summary>The 400 for an algorithm the HSM cannot do: named, and without a software fallback.</summary>
    public static Errors.KeyhubException Unsupported(string algorithm, HsmMechanismUnsupportedException error) =>
        E.BadParameter($"Algorithm {algorithm} is not available for HSM keys in this deployment: the HSM does not offer {error.Mechanism}. Keyhub never performs an HSM key's operation in software.");

    private static byte[] Run(string algorithm, Func<byte[]> operation, bool tooLong = false)
    {
        try
        {
            return operation();
        }
        catch (HsmMechanismUnsupportedException ex)
        {
            throw Unsupported(algorithm, ex);
        }
        catch (HsmOperationException) when (tooLong)
        {
            throw E.BadParameter($"The value is too long for {algorithm} with this key.");
        }
        catch (HsmOperationException)
        {
            throw new Errors.KeyhubException(502, "HsmError", "The HSM could not perform the operation.");
        }
    }

    private static bool RunBool(string algorithm, Func<bool> operation)
    {
        try
        {
            return operation();
        }
        catch (HsmMechanismUnsupportedException ex)
        {
            throw Unsupported(algorithm, ex);
        }
        catch (HsmOperationException)
        {
            return false;
        }
    }

    private static byte[] Opaque(string algorithm, Func<byte[]> operation)
    {
        try
        {
            return operation();
        }
        catch (HsmMechanismUnsupportedException ex)
        {
            throw Unsupported(algorithm, ex);
        }
        catch (HsmOperationException)
        {
            throw KeyCrypto.DecryptionFailed();
        }
    }
}

/// <summary>An -HSM key version: the HSM object's id, its public half (for checks), and for oct its size in bits.</summary>
internal sealed record HsmKey(byte[] Id, KeyMaterial Public, int Size)
{
    public string Kty => Public.Kty;
}
