using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Keyhub.Core.Barrier;

/// <summary>
/// The one authenticated-encryption format used for records, the keyring and the sealed root key.
/// <code>
/// +---------+-------------+-------------+----------------+----------+
/// | version | term (BE32) | nonce (12)  | ciphertext (n) | tag (16) |
/// |  0x01   |             | random      |                |          |
/// +---------+-------------+-------------+----------------+----------+
/// </code>
/// The 5-byte header is authenticated together with the caller's associated data, so neither the
/// term nor the record identity can be swapped.
/// </summary>
internal static class AesGcmEnvelope
{
    public const byte Version = 0x01;
    public const int HeaderSize = 5;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int Overhead = HeaderSize + NonceSize + TagSize;

    public static byte[] Seal(ReadOnlySpan<byte> key, uint term, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[Overhead + plaintext.Length];
        output[0] = Version;
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(1, 4), term);
        var nonce = output.AsSpan(HeaderSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var ciphertext = output.AsSpan(HeaderSize + NonceSize, plaintext.Length);
        var tag = output.AsSpan(HeaderSize + NonceSize + plaintext.Length, TagSize);
        var aad = Combine(output.AsSpan(0, HeaderSize), associatedData);
        using var gcm = new AesGcm(key, TagSize);
        gcm.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        return output;
    }

    /// <summary>Reads the term without decrypting; fails closed on an unknown version.</summary>
    public static uint ReadTerm(ReadOnlySpan<byte> envelope)
    {
        if (envelope.Length < Overhead || envelope[0] != Version)
        {
            throw new BarrierException();
        }
        return BinaryPrimitives.ReadUInt32BigEndian(envelope.Slice(1, 4));
    }

    public static byte[] Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> associatedData)
    {
        _ = ReadTerm(envelope);
        var length = envelope.Length - Overhead;
        var plaintext = new byte[length];
        var aad = Combine(envelope[..HeaderSize], associatedData);
        try
        {
            using var gcm = new AesGcm(key, TagSize);
            gcm.Decrypt(
                envelope.Slice(HeaderSize, NonceSize),
                envelope.Slice(HeaderSize + NonceSize, length),
                envelope.Slice(HeaderSize + NonceSize + length, TagSize),
                plaintext,
                aad);
            return plaintext;
        }
        catch (CryptographicException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new BarrierException();
        }
    }

    private static byte[] Combine(ReadOnlySpan<byte> header, ReadOnlySpan<byte> associatedData)
    {
        var aad = new byte[header.Length + associatedData.Length];
        header.CopyTo(aad);
        associatedData.CopyTo(aad.AsSpan(header.Length));
        return aad;
    }
}
