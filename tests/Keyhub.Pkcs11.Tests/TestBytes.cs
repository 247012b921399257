namespace Keyhub.Pkcs11.Tests;

internal static class TestBytes
{
    /// <summary>A copy with one bit of byte <paramref name="index"/> flipped: a tampered ciphertext, tag or signature.</summary>
    public static byte[] Flip(byte[] bytes, int index)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] ^= 0x01;
        return copy;
    }
}
