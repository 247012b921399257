namespace Keyhub.Pkcs11;

/// <summary>
/// An EC public key: the curve ("P-256", "P-384", "P-521", "P-256K") and the point's coordinates,
/// big-endian and left-padded to the field size, as JWK and <see cref="System.Security.Cryptography.ECPoint"/> want them.
/// </summary>
public sealed record EcPublic(string Curve, byte[] X, byte[] Y);
