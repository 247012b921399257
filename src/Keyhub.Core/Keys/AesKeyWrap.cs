using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Keyhub.Core.Keys;

/// <summary>
/// AES Key Wrap as specified by RFC 3394 (the A128KW/A192KW/A256KW of Azure's wrapKey and unwrapKey),
/// with the default initial value A6A6A6A6A6A6A6A6. This is deliberately not the padded variant of
/// RFC 5649, which is what <see cref="SymmetricAlgorithm"/>'s <c>EncryptKeyWrapPadded</c> implements:
/// its integrity check value differs, so it cannot reproduce the RFC 3394 vectors.
/// <code>
/// key data  P: | P1 (8) | P2 (8) | ... | Pn (8) |           n ≥ 2
/// wrapped   C: | C0 = A (8) | C1 (8) | ... | Cn (8) |       n + 1 blocks of 64 bits
/// </code>
/// </summary>
internal static class AesKeyWrap
{
    public const int BlockSize = 8;
    public const int MinimumKeyDataSize = 2 * BlockSize;
    public const int MinimumWrappedSize = MinimumKeyDataSize + BlockSize;

    // The one message for every integrity failure: which bytes were wrong, or whether the key was,
    // must not be learnable from the error.
    private const string IntegrityFailure = "The wrapped key could not be unwrapped.";

    // RFC 3394 §2.2.3.1: the default initial value.
    private const ulong DefaultIv = 0xA6A6A6A6A6A6A6A6;

    public static byte[] Wrap(ReadOnlySpan<byte> kek, ReadOnlySpan<byte> keyData)
    {
        ValidateKek(kek);
        if (keyData.Length < MinimumKeyDataSize || keyData.Length % BlockSize != 0 || keyData.Length > Array.MaxLength - BlockSize)
        {
            throw new ArgumentException("Key data to wrap must be a multiple of 8 bytes and at least 16 bytes.", nameof(keyData));
        }

        // The output doubles as the register: output[0..8] is A, output[8i..8i+8] is R[i].
        var output = new byte[BlockSize + keyData.Length];
        var n = keyData.Length / BlockSize;
        Span<byte> block = stackalloc byte[2 * BlockSize];
        var succeeded = false;
        try
        {
            using var aes = CreateAes(kek);
            BinaryPrimitives.WriteUInt64BigEndian(output, DefaultIv);
            keyData.CopyTo(output.AsSpan(BlockSize));

            // RFC 3394 §2.2.1, index-based form. For j = 0..5, i = 1..n:
            //   B = AES(K, A | R[i]);  A = MSB(64, B) ^ t where t = (n*j)+i;  R[i] = LSB(64, B)
            for (var j = 0; j <= 5; j++)
            {
                for (var i = 1; i <= n; i++)
                {
                    var r = output.AsSpan(i * BlockSize, BlockSize);
                    output.AsSpan(0, BlockSize).CopyTo(block);
                    r.CopyTo(block[BlockSize..]);
                    aes.EncryptEcb(block, block, PaddingMode.None);
                    var t = (ulong)((long)n * j + i);
                    BinaryPrimitives.WriteUInt64BigEndian(output, BinaryPrimitives.ReadUInt64BigEndian(block) ^ t);
                    block[BlockSize..].CopyTo(r);
                }
            }

            // RFC 3394 §2.2.1 step 3: C0 = A, Ci = R[i] — already in place.
            succeeded = true;
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(block);
            if (!succeeded)
            {
                // Half-wrapped key data is still key data.
                CryptographicOperations.ZeroMemory(output);
            }
        }
    }

    public static byte[] Unwrap(ReadOnlySpan<byte> kek, ReadOnlySpan<byte> wrapped)
    {
        ValidateKek(kek);
        if (wrapped.Length < MinimumWrappedSize || wrapped.Length % BlockSize != 0)
        {
            throw new ArgumentException("A wrapped key must be a multiple of 8 bytes and at least 24 bytes.", nameof(wrapped));
        }

        // The output is the register R[1..n]; A lives in the first half of the block buffer.
        var n = wrapped.Length / BlockSize - 1;
        var output = new byte[n * BlockSize];
        Span<byte> block = stackalloc byte[2 * BlockSize];
        Span<byte> iv = stackalloc byte[BlockSize];
        var succeeded = false;
        try
        {
            using var aes = CreateAes(kek);
            wrapped[..BlockSize].CopyTo(block);
            wrapped[BlockSize..].CopyTo(output);

            // RFC 3394 §2.2.2, index-based form. For j = 5..0, i = n..1:
            //   B = AES-1(K, (A ^ t) | R[i]) where t = n*j+i;  A = MSB(64, B);  R[i] = LSB(64, B)
            for (var j = 5; j >= 0; j--)
            {
                for (var i = n; i >= 1; i--)
                {
                    var r = output.AsSpan((i - 1) * BlockSize, BlockSize);
                    var t = (ulong)((long)n * j + i);
                    BinaryPrimitives.WriteUInt64BigEndian(block, BinaryPrimitives.ReadUInt64BigEndian(block) ^ t);
                    r.CopyTo(block[BlockSize..]);
                    aes.DecryptEcb(block, block, PaddingMode.None);
                    block[BlockSize..].CopyTo(r);
                }
            }

            // RFC 3394 §2.2.3: the key data is genuine only if A came back as the initial value.
            BinaryPrimitives.WriteUInt64BigEndian(iv, DefaultIv);
            if (!CryptographicOperations.FixedTimeEquals(block[..BlockSize], iv))
            {
                throw new CryptographicException(IntegrityFailure);
            }

            succeeded = true;
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(block);
            if (!succeeded)
            {
                CryptographicOperations.ZeroMemory(output);
            }
        }
    }

    private static void ValidateKek(ReadOnlySpan<byte> kek)
    {
        if (kek.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException("The key-encryption key must be 16, 24 or 32 bytes.", nameof(kek));
        }
    }

    // One AES object per call, used only as the raw block cipher: each EncryptEcb/DecryptEcb is a single
    // 16-byte block, which is what RFC 3394 is built on, not ECB encryption of a message.
    private static Aes CreateAes(ReadOnlySpan<byte> kek)
    {
        var aes = Aes.Create();
        try
        {
            aes.SetKey(kek);
            return aes;
        }
        catch
        {
            aes.Dispose();
            throw;
        }
    }
}
