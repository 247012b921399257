namespace Keyhub.Pkcs11;

/// <summary>
/// The protection attributes of one object. <see cref="Class"/> is "private", "public" or "secret" (other
/// object classes by their CKO name); <see cref="KeyType"/> is "RSA", "EC", "AES", "GENERIC_SECRET"
/// (others by their CKK name without the prefix). The four flags are null where they do not apply (public keys).
/// </summary>
public sealed record KeyObjectAttributes(
    string Class,
    string KeyType,
    bool Token,
    bool? Sensitive,
    bool? Extractable,
    bool? AlwaysSensitive,
    bool? NeverExtractable);
