namespace Keyhub.Core.Keys;

/// <summary>The output of encrypt/decrypt/wrap/unwrap/sign, with the key version that produced it.</summary>
public sealed record KeyOperationResult(string Name, string Version, byte[] Value)
{
    public byte[]? Iv { get; init; }
    public byte[]? AuthenticationTag { get; init; }
    public byte[]? AdditionalAuthenticatedData { get; init; }
}

/// <summary>Inputs of a cryptographic operation, as the request carried them.</summary>
public sealed record KeyOperationInput(string Algorithm, byte[] Value)
{
    public byte[]? Iv { get; init; }
    public byte[]? AuthenticationTag { get; init; }
    public byte[]? AdditionalAuthenticatedData { get; init; }

    /// <summary>For verify: the signature to check (Value is then the digest).</summary>
    public byte[]? Signature { get; init; }
}
