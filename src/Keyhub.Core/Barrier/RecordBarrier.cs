using System.Security.Cryptography;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Barrier;

/// <summary>
/// The one place where record payloads are encrypted and decrypted, under the keyring's active term,
/// bound to the record's identity. <paramref name="onEncrypt"/> is told of every encryption under the
/// active term, which counts them against the term's limit.
/// </summary>
public sealed class RecordBarrier(KeyRing keyRing, Action? onEncrypt = null)
{
    public uint ActiveTerm => keyRing.ActiveTerm;

    public byte[] Encrypt(RecordKey key, ReadOnlySpan<byte> plaintext) => Encrypt(plaintext, key.ToAssociatedData());

    public byte[] Decrypt(RecordKey key, ReadOnlySpan<byte> ciphertext) => Decrypt(ciphertext, key.ToAssociatedData());

    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var term = keyRing.ActiveTerm;
        onEncrypt?.Invoke();
        return AesGcmEnvelope.Seal(keyRing.KeyFor(term), term, plaintext, associatedData);
    }

    public byte[] Decrypt(ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData)
    {
        var term = AesGcmEnvelope.ReadTerm(ciphertext);
        return AesGcmEnvelope.Open(keyRing.KeyFor(term), ciphertext, associatedData);
    }

    /// <summary>The term a stored payload is encrypted under, read from its header without decrypting.</summary>
    public static uint TermOf(ReadOnlySpan<byte> ciphertext) => AesGcmEnvelope.ReadTerm(ciphertext);

    /// <summary>
    /// The record's payload encrypted again under the active term (same identity, same plaintext), or null when it
    /// already is. Throws <see cref="BarrierException"/> if it does not open under its own identity.
    /// </summary>
    public byte[]? Reencrypt(RecordKey key, ReadOnlySpan<byte> ciphertext)
    {
        if (TermOf(ciphertext) == keyRing.ActiveTerm)
        {
            return null;
        }
        var associatedData = key.ToAssociatedData();
        var plaintext = Decrypt(ciphertext, associatedData);
        try
        {
            return Encrypt(plaintext, associatedData);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
