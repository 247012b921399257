namespace Keyhub.Pkcs11;

/// <summary>What the token holds under one CKA_ID, for tests and audit.</summary>
public sealed record KeyObjectInfo(IReadOnlyList<KeyObjectAttributes> Objects);
