using System.Security.Cryptography;
using Keyhub.Core.Errors;
using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Keys;

/// <summary>
/// The cryptographic operations on key material, all with System.Security.Cryptography (AES key wrap
/// is RFC 3394 built on AES). Algorithms are checked against the key's type and size first; every
/// failure to decrypt, unwrap or authenticate becomes the same opaque error.
/// </summary>
internal static class KeyCrypto
{
    public const int GcmNonceSize = 12;
    public const int GcmTagSize = 16;
    public const int CbcIvSize = 16;

    public static KeyOperationResultParts Encrypt(KeyMaterial key, KeyOperationInput input)
    {
        if (key.Kty == KeyTypes.Rsa)
        {
            var padding = RsaPadding(input.Algorithm, "encrypt");
            RefuseAesFields(input);
            using var lease = KeyObjects.Rsa(key, includePrivate: false);
            var rsa = lease.Key;
            return new(RsaEncrypt(rsa, input.Value, padding));
        }
        var (mode, _) = AesAlgorithm(key, input.Algorithm, "encrypt");
        switch (mode)
        {
            case AesMode.Gcm:
            {
                if (input.Iv is not null)
                {
                    throw E.BadParameter("Keyhub generates the IV for AES-GCM encryption; do not send 'iv'.");
                }
                if (input.AuthenticationTag is not null)
                {
                    throw E.BadParameter("'tag' is an output of AES-GCM encryption, not an input.");
                }
                var nonce = RandomNumberGenerator.GetBytes(GcmNonceSize);
                var ciphertext = new byte[input.Value.Length];
                var tag = new byte[GcmTagSize];
                using var gcm = new AesGcm(key.K!, GcmTagSize);
                gcm.Encrypt(nonce, input.Value, ciphertext, tag, input.AdditionalAuthenticatedData);
                return new(ciphertext) { Iv = nonce, Tag = tag, Aad = input.AdditionalAuthenticatedData };
            }
            case AesMode.Cbc or AesMode.CbcPad:
            {
                var iv = RequireCbcIv(input);
                if (mode == AesMode.Cbc && (input.Value.Length == 0 || input.Value.Length % 16 != 0))
                {
                    throw E.BadParameter($"{input.Algorithm} needs a non-empty plaintext whose length is a multiple of 16 bytes; use {input.Algorithm}PAD for other lengths.");
                }
                using var aes = System.Security.Cryptography.Aes.Create();
                aes.Key = key.K!;
                return new(aes.EncryptCbc(input.Value, iv, mode == AesMode.Cbc ? PaddingMode.None : PaddingMode.PKCS7)) { Iv = iv };
            }
            default:
                throw E.BadParameter($"{input.Algorithm} is a key-wrap algorithm: use wrapKey.");
        }
    }

    public static byte[] Decrypt(KeyMaterial key, KeyOperationInput input)
    {
        if (key.Kty == KeyTypes.Rsa)
        {
            var padding = RsaPadding(input.Algorithm, "decrypt");
            RefuseAesFields(input);
            using var lease = KeyObjects.Rsa(key, includePrivate: true);
            var rsa = lease.Key;
            return Opaque(() => rsa.Decrypt(input.Value, padding));
        }
        var (mode, _) = AesAlgorithm(key, input.Algorithm, "decrypt");
        switch (mode)
        {
            case AesMode.Gcm:
            {
                if (input.Iv is not { Length: GcmNonceSize } || input.AuthenticationTag is not { Length: GcmTagSize })
                {
                    throw E.BadParameter($"AES-GCM decryption needs the {GcmNonceSize}-byte 'iv' and {GcmTagSize}-byte 'tag' that encryption returned.");
                }
                var plaintext = new byte[input.Value.Length];
                using var gcm = new AesGcm(key.K!, GcmTagSize);
                return Opaque(() =>
                {
                    gcm.Decrypt(input.Iv, input.Value, input.AuthenticationTag, plaintext, input.AdditionalAuthenticatedData);
                    return plaintext;
                });
            }
            case AesMode.Cbc or AesMode.CbcPad:
            {
                var iv = RequireCbcIv(input);
                if (input.Value.Length == 0 || input.Value.Length % 16 != 0)
                {
                    throw DecryptionFailed();
                }
                using var aes = System.Security.Cryptography.Aes.Create();
                aes.Key = key.K!;
                return Opaque(() => aes.DecryptCbc(input.Value, iv, mode == AesMode.Cbc ? PaddingMode.None : PaddingMode.PKCS7));
            }
            default:
                throw E.BadParameter($"{input.Algorithm} is a key-wrap algorithm: use unwrapKey.");
        }
    }

    public static byte[] WrapKey(KeyMaterial key, KeyOperationInput input)
    {
        if (key.Kty == KeyTypes.Rsa)
        {
            var padding = RsaPadding(input.Algorithm, "wrapKey");
            RefuseAesFields(input);
            using var lease = KeyObjects.Rsa(key, includePrivate: false);
            var rsa = lease.Key;
            return RsaEncrypt(rsa, input.Value, padding);
        }
        var (mode, _) = AesAlgorithm(key, input.Algorithm, "wrapKey");
        if (mode != AesMode.KeyWrap)
        {
            throw E.BadParameter($"wrapKey with an oct key takes A128KW, A192KW or A256KW, not {input.Algorithm}.");
        }
        try
        {
            return AesKeyWrap.Wrap(key.K, input.Value);
        }
        catch (ArgumentException)
        {
            throw E.BadParameter("AES key wrap takes key data of at least 16 bytes, in multiples of 8.");
        }
    }

    public static byte[] UnwrapKey(KeyMaterial key, KeyOperationInput input)
    {
        if (key.Kty == KeyTypes.Rsa)
        {
            var padding = RsaPadding(input.Algorithm, "unwrapKey");
            using var lease = KeyObjects.Rsa(key, includePrivate: true);
            var rsa = lease.Key;
            return Opaque(() => rsa.Decrypt(input.Value, padding));
        }
        var (mode, _) = AesAlgorithm(key, input.Algorithm, "unwrapKey");
        if (mode != AesMode.KeyWrap)
        {
            throw E.BadParameter($"unwrapKey with an oct key takes A128KW, A192KW or A256KW, not {input.Algorithm}.");
        }
        // RFC 3394 output is n + 1 64-bit blocks with n >= 2; any other length cannot be a wrapped key,
        // and gets the same opaque error as a failed integrity check.
        if (input.Value.Length < AesKeyWrap.MinimumWrappedSize || input.Value.Length % AesKeyWrap.BlockSize != 0)
        {
            throw DecryptionFailed();
        }
        return Opaque(() => AesKeyWrap.Unwrap(key.K, input.Value));
    }

    public static byte[] Sign(KeyMaterial key, KeyOperationInput input)
    {
        switch (key.Kty)
        {
            case KeyTypes.Rsa:
            {
                var (hash, padding, digestSize) = RsaSignatureAlgorithm(input.Algorithm);
                RequireDigest(input.Value, digestSize, input.Algorithm);
                using var lease = KeyObjects.Rsa(key, includePrivate: true);
                var rsa = lease.Key;
                return rsa.SignHash(input.Value, hash, padding);
            }
            case KeyTypes.Ec:
            {
                var digestSize = EcAlgorithm(key, input.Algorithm);
                RequireDigest(input.Value, digestSize, input.Algorithm);
                using var lease = KeyObjects.Ecdsa(key, includePrivate: true);
                var ecdsa = lease.Key;
                // JOSE wants r‖s (IEEE P1363), which is .NET's default for SignHash.
                return ecdsa.SignHash(input.Value, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
            default:
                throw E.BadParameter("oct keys do not sign; use an RSA or EC key.");
        }
    }

    public static bool Verify(KeyMaterial key, KeyOperationInput input)
    {
        var signature = input.Signature ?? throw E.BadParameter("The signature ('value') is required.");
        switch (key.Kty)
        {
            case KeyTypes.Rsa:
            {
                var (hash, padding, digestSize) = RsaSignatureAlgorithm(input.Algorithm);
                RequireDigest(input.Value, digestSize, input.Algorithm);
                using var lease = KeyObjects.Rsa(key, includePrivate: false);
                var rsa = lease.Key;
                return rsa.VerifyHash(input.Value, signature, hash, padding);
            }
            case KeyTypes.Ec:
            {
                var digestSize = EcAlgorithm(key, input.Algorithm);
                RequireDigest(input.Value, digestSize, input.Algorithm);
                using var lease = KeyObjects.Ecdsa(key, includePrivate: false);
                var ecdsa = lease.Key;
                return ecdsa.VerifyHash(input.Value, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
            default:
                throw E.BadParameter("oct keys do not verify signatures; use an RSA or EC key.");
        }
    }

    /// <summary>The one error for every decryption, unwrap or authentication failure.</summary>
    public static KeyhubException DecryptionFailed() =>
        E.BadParameter("The operation failed: the ciphertext, IV, tag or additional data does not match this key.");

    internal static byte[] Opaque(Func<byte[]> operation)
    {
        try
        {
            return operation();
        }
        catch (CryptographicException)
        {
            throw DecryptionFailed();
        }
    }

    internal static byte[] RsaEncrypt(RSA rsa, byte[] value, RSAEncryptionPadding padding)
    {
        try
        {
            return rsa.Encrypt(value, padding);
        }
        catch (CryptographicException)
        {
            throw E.BadParameter($"The value is too long for RSA encryption with a {rsa.KeySize}-bit key and this padding.");
        }
    }

    internal static RSAEncryptionPadding RsaPadding(string alg, string operation) =>
        KeyAlgorithms.RsaEncryption.TryGetValue(alg, out var padding)
            ? padding
            : throw E.BadParameter($"Algorithm '{alg}' is not valid for {operation} with an RSA key. Use RSA1_5, RSA-OAEP or RSA-OAEP-256.");

    internal static (HashAlgorithmName, RSASignaturePadding, int) RsaSignatureAlgorithm(string alg) =>
        KeyAlgorithms.RsaSignature.TryGetValue(alg, out var a)
            ? a
            : throw E.BadParameter($"Algorithm '{alg}' is not valid for signatures with an RSA key. Use RS256, RS384, RS512, PS256, PS384 or PS512.");

    internal static int EcAlgorithm(KeyMaterial key, string alg)
    {
        if (!KeyAlgorithms.EcSignature.TryGetValue(alg, out var a))
        {
            throw E.BadParameter($"Algorithm '{alg}' is not valid for signatures with an EC key. Use ES256, ES384, ES512 or ES256K.");
        }
        if (a.Curve != key.Crv)
        {
            throw E.BadParameter($"Algorithm {alg} needs a {a.Curve} key; this key is {key.Crv}.");
        }
        return a.DigestSize;
    }

    private static (AesMode Mode, int KeySize) AesAlgorithm(KeyMaterial key, string alg, string operation) =>
        AesAlgorithm(key.Kty, key.Size, alg, operation);

    internal static (AesMode Mode, int KeySize) AesAlgorithm(string kty, int keySize, string alg, string operation)
    {
        if (kty != KeyTypes.Oct)
        {
            throw E.BadParameter($"{kty} keys cannot {operation}.");
        }
        if (!KeyAlgorithms.Aes.TryGetValue(alg, out var a))
        {
            throw E.BadParameter($"Algorithm '{alg}' is not valid for {operation} with an oct key.");
        }
        if (a.KeySize != keySize)
        {
            throw E.BadParameter($"Algorithm {alg} needs a {a.KeySize}-bit key; this key has {keySize} bits.");
        }
        return a;
    }

    internal static byte[] RequireCbcIv(KeyOperationInput input) =>
        input.Iv is { Length: CbcIvSize } iv ? iv : throw E.BadParameter($"{input.Algorithm} needs a {CbcIvSize}-byte 'iv'.");

    internal static void RefuseAesFields(KeyOperationInput input)
    {
        if (input.Iv is not null || input.AuthenticationTag is not null || input.AdditionalAuthenticatedData is not null)
        {
            throw E.BadParameter("'iv', 'tag' and 'aad' apply to AES algorithms only.");
        }
    }

    internal static void RequireDigest(byte[] digest, int size, string alg)
    {
        if (digest.Length != size)
        {
            throw E.BadParameter($"{alg} signs a {size}-byte digest; the value has {digest.Length} bytes.");
        }
    }
}

/// <summary>An operation's output bytes and the AES parameters that go with them.</summary>
internal sealed record KeyOperationResultParts(byte[] Value)
{
    public byte[]? Iv { get; init; }
    public byte[]? Tag { get; init; }
    public byte[]? Aad { get; init; }
}
