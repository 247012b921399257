namespace Keyhub.Core.Certificates;

/// <summary>
/// How a certificate's versions are made: key, secret format, X.509 contents, issuer and lifetime
/// actions. The engine stores it normalised (every default filled in, docs/certificates-wire.md §3);
/// its JSON shape is a stored format.
/// </summary>
public sealed record CertificatePolicy
{
    public required CertificateKeyProperties Key { get; init; }
    public required string ContentType { get; init; }
    public required CertificateX509Properties X509 { get; init; }
    public required string IssuerName { get; init; }
    public string? CertificateType { get; init; }
    public bool? CertificateTransparency { get; init; }
    public IReadOnlyList<CertificateLifetimeAction> LifetimeActions { get; init; } = [];
    public bool Enabled { get; init; } = true;
    public DateTimeOffset? Created { get; init; }
    public DateTimeOffset? Updated { get; init; }
}

public sealed record CertificateKeyProperties
{
    public required string Kty { get; init; }
    public int? KeySize { get; init; }
    public string? Curve { get; init; }
    public bool Exportable { get; init; } = true;
    public bool ReuseKey { get; init; }
}

public sealed record CertificateX509Properties
{
    public required string Subject { get; init; }
    public IReadOnlyList<string> DnsNames { get; init; } = [];
    public IReadOnlyList<string> Emails { get; init; } = [];
    public IReadOnlyList<string> Upns { get; init; } = [];
    public IReadOnlyList<string> Uris { get; init; } = [];
    public IReadOnlyList<string> IpAddresses { get; init; } = [];
    public IReadOnlyList<string> Ekus { get; init; } = [];
    public IReadOnlyList<string> KeyUsage { get; init; } = [];
    public int ValidityMonths { get; init; } = 12;
}

/// <summary>One lifetime action: <c>AutoRenew</c> or <c>EmailContacts</c> at a percentage of the lifetime or days before expiry.</summary>
public sealed record CertificateLifetimeAction(string ActionType, int? LifetimePercentage, int? DaysBeforeExpiry);

/// <summary>Partial policy from a request: null members are left as they are (PATCH) or defaulted (create).</summary>
public sealed record CertificatePolicyUpdate
{
    public string? Kty { get; init; }
    public int? KeySize { get; init; }
    public string? Curve { get; init; }
    public bool? Exportable { get; init; }
    public bool? ReuseKey { get; init; }
    public string? ContentType { get; init; }
    public string? Subject { get; init; }
    public IReadOnlyList<string>? DnsNames { get; init; }
    public IReadOnlyList<string>? Emails { get; init; }
    public IReadOnlyList<string>? Upns { get; init; }
    public IReadOnlyList<string>? Uris { get; init; }
    public IReadOnlyList<string>? IpAddresses { get; init; }
    public IReadOnlyList<string>? Ekus { get; init; }
    public IReadOnlyList<string>? KeyUsage { get; init; }
    public int? ValidityMonths { get; init; }
    public string? IssuerName { get; init; }
    public string? CertificateType { get; init; }
    public bool? CertificateTransparency { get; init; }
    public IReadOnlyList<CertificateLifetimeAction>? LifetimeActions { get; init; }
    public bool? Enabled { get; init; }
}
