namespace Keyhub.Core.Identity;

/// <summary>An application identity. Referenced everywhere by <see cref="ObjectId"/>; the display name is a label.</summary>
public sealed record ServicePrincipal
{
    public required string ObjectId { get; init; }
    public required string ClientId { get; init; }
    public required string DisplayName { get; init; }
    public bool Enabled { get; init; } = true;
    public List<ClientSecretCredentialRecord> Secrets { get; init; } = [];

    /// <summary>Certificates whose private keys sign client assertions (ClientCertificateCredential).</summary>
    public List<ClientCertificateRecord> Certificates { get; init; } = [];

    /// <summary>Hashed workload credentials: the X-IDENTITY-HEADER values of the managed-identity endpoint.</summary>
    public List<ClientSecretCredentialRecord> WorkloadCredentials { get; init; } = [];
}

/// <summary>A registered certificate (public part only, DER) with its SHA-256 thumbprint.</summary>
public sealed record ClientCertificateRecord(string Id, string ThumbprintSha256, byte[] Certificate, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

/// <summary>A hashed client secret (never the secret itself) and when it stops working.</summary>
public sealed record ClientSecretCredentialRecord(string Id, string Hash, DateTimeOffset Created, DateTimeOffset? Expires);
