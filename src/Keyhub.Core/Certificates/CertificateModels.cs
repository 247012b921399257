using Keyhub.Core.Objects;

namespace Keyhub.Core.Certificates;

/// <summary>
/// One certificate version as the engine returns it. A version still waiting for its issuer (the first
/// create with the Unknown issuer) has no <see cref="Cer"/> and is disabled, as Azure shows it.
/// </summary>
public sealed record CertificateVersion
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public byte[]? Cer { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public bool Enabled { get; init; } = true;
    public DateTimeOffset? NotBefore { get; init; }
    public DateTimeOffset? Expires { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required DateTimeOffset Updated { get; init; }

    /// <summary>Set on the latest version only (Azure leaves it out of a GET by version).</summary>
    public CertificatePolicy? Policy { get; init; }

    /// <summary>Whether an issuance operation is on record (the latest version then links to it).</summary>
    public bool HasOperation { get; init; }

    /// <summary>SHA-1 of the DER, Azure's <c>x5t</c>: an identifier the wire format fixes, not a security check.</summary>
#pragma warning disable CA5350
    public byte[]? Thumbprint => Cer is null ? null : System.Security.Cryptography.SHA1.HashData(Cer);
#pragma warning restore CA5350
}

public sealed record DeletedCertificate(CertificateVersion Latest, DateTimeOffset DeletedDate, DateTimeOffset ScheduledPurgeDate);

/// <summary>The issuance operation of a certificate (<c>/certificates/{name}/pending</c>).</summary>
public sealed record CertificateOperation
{
    public const string InProgress = "inProgress";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";

    public required string Name { get; init; }
    public required string IssuerName { get; init; }
    public required string Status { get; init; }
    public required string RequestId { get; init; }
    public string? StatusDetails { get; init; }
    public byte[]? Csr { get; init; }
    public bool CancellationRequested { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public string? CertificateType { get; init; }
    public bool? CertificateTransparency { get; init; }
}

/// <summary>POST /certificates/{name}/create.</summary>
public sealed record NewCertificate
{
    public CertificatePolicyUpdate? Policy { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public bool? Enabled { get; init; }
}

/// <summary>POST /certificates/{name}/import: <see cref="Value"/> is base64 PKCS#12 or PEM text.</summary>
public sealed record CertificateImport(string Value)
{
    public string? Password { get; init; }
    public CertificatePolicyUpdate? Policy { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public bool? Enabled { get; init; }
}

/// <summary>PATCH /certificates/{name}/{version}; null leaves a property as it is.</summary>
public sealed record CertificateUpdate
{
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public bool? Enabled { get; init; }
    public CertificatePolicyUpdate? Policy { get; init; }
}

/// <summary>A stored issuer (<c>/certificates/issuers/{name}</c>). The account password is kept encrypted and never returned.</summary>
public sealed record CertificateIssuer
{
    public required string Name { get; init; }
    public required string Provider { get; init; }
    public string? AccountId { get; init; }
    public string? Password { get; init; }
    public string? OrganizationId { get; init; }
    public IReadOnlyList<CertificateIssuerAdmin> Admins { get; init; } = [];
    public bool Enabled { get; init; } = true;
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset Updated { get; init; }
}

public sealed record CertificateIssuerAdmin(string? FirstName, string? LastName, string? Email, string? Phone);

public sealed record CertificateContact(string? Email, string? Name, string? Phone);

/// <summary>Encrypted payload of one certificate version: the DER certificate and the rest of its chain.</summary>
internal sealed record CertificateVersionPayload(byte[] Cer, List<byte[]> Chain, Dictionary<string, string>? Tags, long? NotBefore, long? Expires)
    : IExpiringPayload;

/// <summary>Stored state of the issuance operation; <see cref="PendingKey"/> waits (encrypted) for a merge.</summary>
internal sealed record CertificateOperationRecord
{
    /// <summary>The certificate's name as created (the record key holds it normalised); absent in records written before it was kept.</summary>
    public string? Name { get; init; }
    public required string IssuerName { get; init; }
    public required string Status { get; init; }
    public required string RequestId { get; init; }
    public string? StatusDetails { get; init; }
    public byte[]? Csr { get; init; }
    public bool CancellationRequested { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public Keys.KeyMaterial? PendingKey { get; init; }
    public Dictionary<string, string>? Tags { get; init; }
    public bool Enabled { get; init; } = true;
    public long Created { get; init; }
    public string? CertificateType { get; init; }
    public bool? CertificateTransparency { get; init; }
}

/// <summary>A lifetime action that fell due: EmailContacts is recorded here for the contacts' mail relay.</summary>
public sealed record CertificateEvent(string Name, string Version, string Action, DateTimeOffset At);
