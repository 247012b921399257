namespace Keyhub.Core.Identity;

/// <summary>An application identity. Referenced everywhere by <see cref="ObjectId"/>; the display name is a label.</summary>
public sealed record ServicePrincipal
{
    public required string ObjectId { get; init; }
    public required string ClientId { get; init; }
    public required string DisplayName { get; init; }
    public bool Enabled { get; init; } = true;
    public List<ClientSecretCredentialRecord> Secrets { get; init; } = [];
}

/// <summary>A hashed client secret (never the secret itself) and when it stops working.</summary>
public sealed record ClientSecretCredentialRecord(string Id, string Hash, DateTimeOffset Created, DateTimeOffset? Expires);
