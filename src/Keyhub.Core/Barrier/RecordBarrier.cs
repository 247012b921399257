using Keyhub.Core.Storage;

namespace Keyhub.Core.Barrier;

/// <summary>
/// The one place where record payloads are encrypted and decrypted, under the keyring's active term,
/// bound to the record's identity.
/// </summary>
public sealed class RecordBarrier(KeyRing keyRing)
{
    public byte[] Encrypt(RecordKey key, ReadOnlySpan<byte> plaintext) => Encrypt(plaintext, key.ToAssociatedData());

    public byte[] Decrypt(RecordKey key, ReadOnlySpan<byte> ciphertext) => Decrypt(ciphertext, key.ToAssociatedData());

    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var term = keyRing.ActiveTerm;
        return AesGcmEnvelope.Seal(keyRing.KeyFor(term), term, plaintext, associatedData);
    }

    public byte[] Decrypt(ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData)
    {
        var term = AesGcmEnvelope.ReadTerm(ciphertext);
        return AesGcmEnvelope.Open(keyRing.KeyFor(term), ciphertext, associatedData);
    }
}
