using System.Formats.Asn1;

namespace Keyhub.Pkcs11;

/// <summary>
/// CKA_EC_POINT: a DER OCTET STRING around the uncompressed SEC 1 point.
/// <code>
///   04 len | 04 | X (field size, big-endian) | Y (field size, big-endian)
///   ^ OCTET STRING   ^ uncompressed point
/// </code>
/// Some modules return the bare point without the OCTET STRING; both are read.
/// </summary>
internal static class EcPointEncoding
{
    public static byte[] Encode(EcCurve curve, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        if (x.Length != curve.FieldBytes || y.Length != curve.FieldBytes)
        {
            throw new ArgumentException($"a {curve.Name} point has {curve.FieldBytes}-byte coordinates");
        }

        var point = new byte[1 + (2 * curve.FieldBytes)];
        point[0] = 0x04;
        x.CopyTo(point.AsSpan(1));
        y.CopyTo(point.AsSpan(1 + curve.FieldBytes));
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(point);
        return writer.Encode();
    }

    public static (byte[] X, byte[] Y) Decode(EcCurve curve, byte[] ecPoint)
    {
        var uncompressedLength = 1 + (2 * curve.FieldBytes);
        byte[] point;
        if (ecPoint.Length == uncompressedLength && ecPoint[0] == 0x04)
        {
            point = ecPoint;
        }
        else
        {
            try
            {
                point = new AsnReader(ecPoint, AsnEncodingRules.BER).ReadOctetString();
            }
            catch (AsnContentException e)
            {
                throw new Pkcs11Exception("the token returned a malformed CKA_EC_POINT", e);
            }
        }

        if (point.Length != uncompressedLength || point[0] != 0x04)
        {
            throw new Pkcs11Exception($"the token returned a CKA_EC_POINT that is not an uncompressed {curve.Name} point");
        }

        return (point[1..(1 + curve.FieldBytes)], point[(1 + curve.FieldBytes)..]);
    }
}
