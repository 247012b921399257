using Keyhub.Core.Storage;

namespace Keyhub.Core.Ca;

/// <summary>
/// Where the workload CA keeps its state, all in the system vault and all barrier-encrypted:
/// <code>
///   ca / root                        RootCertificate     the self-signed root (public)
///   ca / root-key                    CaKey               its PKCS#8 private key, or its HSM object's id
///   ca / intermediate-{serial}       IntermediateCertificate   every intermediate ever made (public)
///   ca / intermediate-{serial}-key   CaKey               only the current one's; removed at rotation
///   ca / current                     CurrentIntermediate which intermediate issues
///   ca / crl                         CachedCrl           the last CRL built, and what it covers
///   ca-issued / {serial}             IssuedCertificate   every leaf serial (uniqueness, revocation lookups)
///   ca-revoked / {serial}            RevokedCertificate  Created = revocation time, Expires = the leaf's notAfter
/// </code>
/// Certificates and keys are separate records so that serving the public chain never decrypts a key.
/// Serials are lower-case hex of the DER INTEGER's content bytes.
/// </summary>
internal static class WorkloadCaRecords
{
    public const string Kind = "ca";
    public const string IssuedKind = "ca-issued";
    public const string RevokedKind = "ca-revoked";

    public static readonly RecordKey Root = new(SystemVault.Name, Kind, "root", "");
    public static readonly RecordKey RootKey = new(SystemVault.Name, Kind, "root-key", "");
    public static readonly RecordKey Current = new(SystemVault.Name, Kind, "current", "");
    public static readonly RecordKey Crl = new(SystemVault.Name, Kind, "crl", "");

    public static RecordKey Intermediate(string serial) => new(SystemVault.Name, Kind, $"intermediate-{serial}", "");

    public static RecordKey IntermediateKey(string serial) => new(SystemVault.Name, Kind, $"intermediate-{serial}-key", "");

    public static RecordKey Issued(string serial) => new(SystemVault.Name, IssuedKind, serial, "");

    public static RecordKey Revoked(string serial) => new(SystemVault.Name, RevokedKind, serial, "");
}

internal sealed record RootCertificate(byte[] Certificate);

internal sealed record IntermediateCertificate(byte[] Certificate, int Generation);

/// <summary>
/// A CA private key: PKCS#8 (zeroed by whoever decrypts it as soon as it is imported), or — on a deployment with an
/// HSM — the id of the token object and the public point (<see cref="Pkcs8"/> then empty).
/// </summary>
internal sealed record CaKey(byte[] Pkcs8, byte[]? HsmId = null, string? Curve = null, byte[]? X = null, byte[]? Y = null);

internal sealed record CurrentIntermediate(string Serial, int Generation);

internal sealed record IssuedCertificate(string Vault, string Subject, string IssuerSerial);

internal sealed record RevokedCertificate(string Vault);

/// <summary>A built CRL with what it was built from, so a reader can tell whether it still holds.</summary>
internal sealed record CachedCrl(long Number, string IssuerSerial, DateTimeOffset ThisUpdate, IReadOnlyList<string> Covered, byte[] Der);
