using System.Security.Cryptography;

namespace Keyhub.Core.Keys;

/// <summary>Key types (<c>kty</c>) and the operations each supports.</summary>
public static class KeyTypes
{
    public const string Rsa = "RSA";
    public const string Ec = "EC";
    public const string Oct = "oct";

    public static readonly IReadOnlyList<string> RsaOperations = [KeyOperations.Encrypt, KeyOperations.Decrypt, KeyOperations.Sign, KeyOperations.Verify, KeyOperations.WrapKey, KeyOperations.UnwrapKey];
    public static readonly IReadOnlyList<string> EcOperations = [KeyOperations.Sign, KeyOperations.Verify];
    public static readonly IReadOnlyList<string> OctOperations = [KeyOperations.Encrypt, KeyOperations.Decrypt, KeyOperations.WrapKey, KeyOperations.UnwrapKey];

    public static IReadOnlyList<string> OperationsFor(string kty) => kty switch
    {
        Rsa => RsaOperations,
        Ec => EcOperations,
        _ => OctOperations,
    };
}

/// <summary>JWK <c>key_ops</c> values Keyhub performs.</summary>
public static class KeyOperations
{
    public const string Encrypt = "encrypt";
    public const string Decrypt = "decrypt";
    public const string Sign = "sign";
    public const string Verify = "verify";
    public const string WrapKey = "wrapKey";
    public const string UnwrapKey = "unwrapKey";
}

/// <summary>JWK curve names and their .NET curves.</summary>
public static class Curves
{
    public const string P256 = "P-256";
    public const string P384 = "P-384";
    public const string P521 = "P-521";
    public const string P256K = "P-256K";

    public static readonly IReadOnlyList<string> All = [P256, P384, P521, P256K];

    public static ECCurve ToCurve(string crv) => crv switch
    {
        P256 => ECCurve.NamedCurves.nistP256,
        P384 => ECCurve.NamedCurves.nistP384,
        P521 => ECCurve.NamedCurves.nistP521,
        P256K => ECCurve.CreateFromValue("1.3.132.0.10"),
        _ => throw Errors.Errors.BadParameter($"Unsupported curve '{crv}'. Supported: {string.Join(", ", All)}."),
    };

    /// <summary>Length in bytes of a coordinate (and of the private scalar) on the curve.</summary>
    public static int CoordinateSize(string crv) => crv switch
    {
        P384 => 48,
        P521 => 66,
        _ => 32,
    };
}
