namespace Keyhub.Core.Seal;

/// <summary>
/// Protects only the root key. The dev seal uses a key file; Shamir shares and a PKCS#11 HSM plug in
/// behind the same two calls (a Shamir seal fails <see cref="UnwrapAsync"/> until enough shares arrived).
/// </summary>
public interface ISeal
{
    /// <summary>Short name recorded with the wrapped key ("keyfile", "shamir", "pkcs11").</summary>
    string Kind { get; }

    Task<byte[]> WrapAsync(ReadOnlyMemory<byte> rootKey, CancellationToken cancellationToken);

    Task<byte[]> UnwrapAsync(ReadOnlyMemory<byte> wrappedRootKey, CancellationToken cancellationToken);
}
