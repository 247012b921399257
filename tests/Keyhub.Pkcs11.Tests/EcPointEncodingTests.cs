namespace Keyhub.Pkcs11.Tests;

public sealed class EcPointEncodingTests
{
    private static readonly EcCurve P256 = EcCurve.FromName("P-256");

    [Fact]
    public void A_point_is_an_octet_string_around_the_uncompressed_point()
    {
        var x = Enumerable.Repeat((byte)0x11, 32).ToArray();
        var y = Enumerable.Repeat((byte)0x22, 32).ToArray();

        var encoded = EcPointEncoding.Encode(P256, x, y);

        Assert.Equal([0x04, 0x41, 0x04, .. x, .. y], encoded);
        var (decodedX, decodedY) = EcPointEncoding.Decode(P256, encoded);
        Assert.Equal(x, decodedX);
        Assert.Equal(y, decodedY);
    }

    [Fact]
    public void A_bare_uncompressed_point_is_read_too()
    {
        var x = Enumerable.Repeat((byte)0x33, 32).ToArray();
        var y = Enumerable.Repeat((byte)0x44, 32).ToArray();

        var (decodedX, decodedY) = EcPointEncoding.Decode(P256, [0x04, .. x, .. y]);

        Assert.Equal(x, decodedX);
        Assert.Equal(y, decodedY);
    }

    [Fact]
    public void Compressed_or_wrong_sized_points_are_refused()
    {
        Assert.Throws<Pkcs11Exception>(() => EcPointEncoding.Decode(P256, [0x04, 0x21, 0x02, .. new byte[32]]));
        Assert.Throws<Pkcs11Exception>(() => EcPointEncoding.Decode(P256, [0x04, 0x03, 0x04, 0x01, 0x02]));
        Assert.Throws<ArgumentException>(() => EcPointEncoding.Encode(P256, new byte[31], new byte[32]));
    }
}
