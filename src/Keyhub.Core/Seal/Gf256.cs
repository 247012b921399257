namespace Keyhub.Core.Seal;

/// <summary>
/// Arithmetic in GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1, for Shamir sharing. Table-free
/// and branch-free on the operands: log/exp lookup tables leak the secret through cache timing (the
/// CVE-2023-25000 pattern), so multiplication is shift-and-add under masks and inversion a fixed chain
/// of multiplications.
/// </summary>
internal static class Gf256
{
    public static byte Add(byte a, byte b) => (byte)(a ^ b);

    public static byte Multiply(byte a, byte b)
    {
        int product = 0, x = a, y = b;
        for (var bit = 0; bit < 8; bit++)
        {
            product ^= x & -(y & 1);
            y >>= 1;
            // x·2 mod the polynomial: reduce by 0x1B exactly when the top bit was set, without branching.
            x = ((x << 1) ^ (0x1B & -((x >> 7) & 1))) & 0xFF;
        }
        return (byte)product;
    }

    /// <summary>a^254 = a^-1 for a ≠ 0 (and 0 for 0): the same eleven multiplications for every input.</summary>
    public static byte Inverse(byte a)
    {
        var a2 = Multiply(a, a);
        var a3 = Multiply(a2, a);
        var a6 = Multiply(a3, a3);
        var a12 = Multiply(a6, a6);
        var a15 = Multiply(a12, a3);
        var a30 = Multiply(a15, a15);
        var a60 = Multiply(a30, a30);
        var a120 = Multiply(a60, a60);
        var a126 = Multiply(a120, a6);
        var a127 = Multiply(a126, a);
        return Multiply(a127, a127);
    }

    public static byte Divide(byte a, byte b) => Multiply(a, Inverse(b));
}
