namespace Keyhub.Core.Vaults;

/// <summary>A change to a vault's settings: null members are left as they are; a list replaces the stored one.</summary>
public sealed record VaultUpdate
{
    public bool? PurgeProtection { get; init; }
    public IReadOnlyList<string>? CertDnsSuffixes { get; init; }
    public IReadOnlyList<string>? CertIpRanges { get; init; }
}
