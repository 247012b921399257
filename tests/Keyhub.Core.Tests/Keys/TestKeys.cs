using System.Security.Cryptography;
using Keyhub.Core.Keys;

namespace Keyhub.Core.Tests.Keys;

/// <summary>
/// Key material for the key tests. RSA generation is slow, so one 2048-bit key is generated once per
/// run (by <see cref="KeyFactory"/>, with its defaults) and a second one is fixed below; callers get
/// copies, which they may clear.
/// </summary>
internal static class TestKeys
{
    /// <summary>
    /// A fixed RSA-2048 key whose private exponent d has a leading zero byte, so that its minimal
    /// JWK encoding (RFC 7518 §6.3.2.1, Base64urlUInt) is 255 bytes, shorter than the modulus.
    /// </summary>
    public const string FixedRsaPem = """
        -----BEGIN PRIVATE KEY-----
        MIIEuwIBADANBgkqhkiG9w0BAQEFAASCBKUwggShAgEAAoIBAQCsoO01f8dBVODX
        QGeOQHDnpqYWBhR4hHq15JMhQPgiEg0HhOrCcWb0oDPHiFBGERsx7Ku7I+rZzgY1
        T1H48jvmj+1YNKTyaWNMkRjjkcSCKm5M5MgaEgGjr9UfPWuux87ArKii7nnFXU9J
        UdTUmHYjo/XQGfBOgvhK0EWdXlpPgfaozZ4sVGoIDhT82VyajnhMWfW8zLrNXsbw
        GsOp9e5KmAjIaEWQXP9kyGDPoudM4b9pmY0haikoQdZ0ueKLeVQeQKVU1T9x4/CK
        tyd+HJbrT+KJTV7QWhZllS+ccwxszXR11HrMYWCJ8n0/6hOvqoSzePtXy6A5lXrA
        ZwMO/n01AgMBAAECgf8VEo/iN/bawsGvhO0fMD6YCH+9sIBPNdzE12IebQ/dGNb+
        U/tUQQOQWP35HWqvIudu8LUF4xyH+d5II6ad/PPS8T7HxaVc8gBtGEkxflm+ie9s
        84B5rjkFAjHB3n2GmF1kp67uNK4oqXtEN/kC+plxQFKBVKlA7Dvi5gmZbCsaCU+Z
        xdF6wtp2N/ztMwzhD2emC2o9abvifVhQ+euv/PCZ4YsoS9VKy0770RYYlG5Uxmz2
        m/4DH+k6OZkH6aoOQVz32Tga7VUAqvRdEuM8JnoLZWMXnNGZ8P/JI2R48N9jlK/y
        qPsMC2n8bL6LtDC814LcrqMggWMv5faFs6zY++kCgYEA7iC3M6IBeZePf7XC48/W
        1OfKO2GVmks9dTelczW7M7s3GjcaWiaxfOr+olm107qFBfvyy36F5IRNrAFdw1iF
        7P0wAaNPE7Xf0+Ac7l7Pg1Amv1GNN5IB6hzTqBwbymLlCF2nDDefk1mh5FDAvIog
        x0baLwyUX8qEfjo9/p6q+N0CgYEAuZW899VzBzBqg7Qk/1D68Y3vdn1kZb/Ja+Lh
        9wyHgoinbTqNfBjBNnjDBtr3GGWqfiGWvItn+Acw/VimTIN7PFagg04FqT0Km2Kw
        vcLUjvArvvY3qpx4HiLEKm9GGGyX7OIhurVRewSUV6PPV6AncgavMClHhH0cC4LD
        DDnGJDkCgYB1Tp6RjASH/tbNRiA9E900Qv+IIzmMqfYbsY8K43RWNqsdefm8YYVc
        EXPhTKpbJG51lTl1b93LxjVxP7cODaTkK5IjrGy/PACIosX9060MdkawRx93ObFB
        wHOwRDCYkgFcDq7FQP2WnDg5fmKEPtOI9+lx9hN94QlGGbECpu147QKBgFgvxTnn
        Xd+erB6lbac9LeG21oFxmFGZTvdLOqEQfRwUH6sR1cWQZc+iltodFqmrNdb10xEJ
        FYCQukDI7U0SdW74oxGB88K11OJ9hQrHGAZMLh1yFoWmEJYRYzHe6moUwCS6V9jG
        7E8OoAb9OjujSNswPfMeynM0mC0IF/MpSPRRAoGBAJ75uwQ8mGdWBRoNdB2IPjan
        d7k1w9Qfjt3klIP6n22blB6HrlMCGTuoxpLaRpUG2xgo9Z85VHuSTgPJtUTaCM32
        Kwmxx3dD5h+5y2tAAm1hZ/gMSUB211aUCNVNLA2AGBZgDUtNLAhkj2NgC/MTIIdx
        V9JPqtx0qN9wJgwgO2T7
        -----END PRIVATE KEY-----
        """;

    private static readonly Lazy<KeyMaterial> SharedRsa = new(() => KeyFactory.Generate(KeyTypes.Rsa, null, null, null));

    /// <summary>A copy of the RSA-2048 key generated once per run with KeyFactory's defaults.</summary>
    public static KeyMaterial Rsa() => Copy(SharedRsa.Value);

    /// <summary>The fixed RSA-2048 key of <see cref="FixedRsaPem"/>, as .NET exports it (d padded to 256 bytes).</summary>
    public static KeyMaterial FixedRsa()
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(FixedRsaPem);
        var p = rsa.ExportParameters(includePrivateParameters: true);
        return new KeyMaterial { Kty = KeyTypes.Rsa, N = p.Modulus, E = p.Exponent, D = p.D, P = p.P, Q = p.Q, DP = p.DP, DQ = p.DQ, QI = p.InverseQ };
    }

    public static KeyMaterial Ec(string crv) => KeyFactory.Generate(KeyTypes.Ec, null, null, crv);

    /// <summary>A deterministic AES key: fill, fill+1, fill+2, …</summary>
    public static KeyMaterial Oct(int bits, byte fill = 0x10) =>
        new() { Kty = KeyTypes.Oct, K = Enumerable.Range(0, bits / 8).Select(i => (byte)(fill + i)).ToArray() };

    public static KeyMaterial Copy(KeyMaterial key) => key with
    {
        N = Clone(key.N),
        E = Clone(key.E),
        D = Clone(key.D),
        P = Clone(key.P),
        Q = Clone(key.Q),
        DP = Clone(key.DP),
        DQ = Clone(key.DQ),
        QI = Clone(key.QI),
        X = Clone(key.X),
        Y = Clone(key.Y),
        K = Clone(key.K),
    };

    /// <summary>A copy of <paramref name="data"/> with one bit flipped.</summary>
    public static byte[] Flip(byte[] data, int index, byte mask = 0x01)
    {
        var copy = (byte[])data.Clone();
        copy[index] ^= mask;
        return copy;
    }

    /// <summary>The digest an algorithm signs: SHA-256, -384 or -512 by its name.</summary>
    public static byte[] Digest(string algorithm, byte[] message) => algorithm switch
    {
        "RS256" or "PS256" or "ES256" or "ES256K" => SHA256.HashData(message),
        "RS384" or "PS384" or "ES384" => SHA384.HashData(message),
        "RS512" or "PS512" or "ES512" => SHA512.HashData(message),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    private static byte[]? Clone(byte[]? bytes) => bytes is null ? null : (byte[])bytes.Clone();
}
