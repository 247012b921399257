namespace Keyhub.Pkcs11;

/// <summary>An RSA public key as the token stores it: big-endian unsigned modulus and public exponent.</summary>
public sealed record RsaPublic(byte[] Modulus, byte[] Exponent);
