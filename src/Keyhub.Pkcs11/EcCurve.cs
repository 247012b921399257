using System.Formats.Asn1;

namespace Keyhub.Pkcs11;

/// <summary>The named curves Keyhub uses, by their JOSE name, with the OID that goes into CKA_EC_PARAMS.</summary>
internal sealed record EcCurve(string Name, string Oid, int FieldBytes)
{
    private static readonly EcCurve[] All =
    [
        new("P-256", "1.2.840.10045.3.1.7", 32),
        new("P-384", "1.3.132.0.34", 48),
        new("P-521", "1.3.132.0.35", 66),
        new("P-256K", "1.3.132.0.10", 32), // secp256k1
    ];

    public static EcCurve FromName(string name) =>
        Array.Find(All, c => c.Name == name)
        ?? throw new ArgumentException($"unknown curve '{name}' (expected P-256, P-384, P-521 or P-256K)", nameof(name));

    /// <summary>Reads CKA_EC_PARAMS; null for an explicit or unknown curve.</summary>
    public static EcCurve? FromEcParams(byte[] ecParams)
    {
        try
        {
            var oid = new AsnReader(ecParams, AsnEncodingRules.DER).ReadObjectIdentifier();
            return Array.Find(All, c => c.Oid == oid);
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    /// <summary>CKA_EC_PARAMS for a named curve: the DER OBJECT IDENTIFIER (the namedCurve choice of ECParameters).</summary>
    public byte[] EcParams()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(Oid);
        return writer.Encode();
    }

    /// <summary>True when .NET's curve names the same curve (by OID, or by friendly name where the OID is absent).</summary>
    public bool Matches(System.Security.Cryptography.ECCurve curve)
    {
        if (!curve.IsNamed || curve.Oid is null)
        {
            return false;
        }

        if (curve.Oid.Value is { } value)
        {
            return value == Oid;
        }

        var friendly = curve.Oid.FriendlyName;
        return Name switch
        {
            "P-256" => friendly is "nistP256" or "ECDSA_P256" or "secp256r1",
            "P-384" => friendly is "nistP384" or "ECDSA_P384" or "secp384r1",
            "P-521" => friendly is "nistP521" or "ECDSA_P521" or "secp521r1",
            _ => friendly is "secP256k1" or "secp256k1",
        };
    }
}
