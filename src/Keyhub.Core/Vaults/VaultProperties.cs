namespace Keyhub.Core.Vaults;

/// <summary>A vault's settings; retention (7–90 days) is fixed at creation, as in Azure.</summary>
/// <remarks>Stored as JSON: a member added later needs a default, so records written before it still load.</remarks>
public sealed record VaultProperties
{
    public required string Name { get; init; }
    public int RetentionDays { get; init; } = 90;
    public bool PurgeProtection { get; init; }

    /// <summary>"standard" (software keys) or "premium" (also -HSM keys, held in the deployment's HSM). Fixed at creation.</summary>
    public string Sku { get; init; } = StandardSku;

    public const string StandardSku = "standard";
    public const string PremiumSku = "premium";

    public bool IsPremium => Sku == PremiumSku;

    /// <summary>The vault's own HTTPS port (a port-bound vault), or null for a vault addressed by host name.</summary>
    public int? Port { get; init; }

    /// <summary>
    /// DNS suffixes the workload CA may issue names under for this vault (a suffix covers itself and every
    /// name below it, wildcards included). Set by the deployment Owner; empty means no DNS name at all.
    /// </summary>
    public IReadOnlyList<string> CertDnsSuffixes { get; init; } = [];

    /// <summary>IP ranges (CIDR) the workload CA may issue addresses in for this vault; empty means none.</summary>
    public IReadOnlyList<string> CertIpRanges { get; init; } = [];

    /// <summary>Azure's <c>recoveryLevel</c> for this vault's objects (wire.md §6).</summary>
    public string RecoveryLevel => (RetentionDays == 90, PurgeProtection) switch
    {
        (true, false) => "Recoverable+Purgeable",
        (true, true) => "Recoverable",
        (false, false) => "CustomizedRecoverable+Purgeable",
        (false, true) => "CustomizedRecoverable",
    };

    /// <summary>Value equality, lists included (a record compares list members by reference).</summary>
    public bool Equals(VaultProperties? other) =>
        other is not null
        && Name == other.Name
        && RetentionDays == other.RetentionDays
        && PurgeProtection == other.PurgeProtection
        && Sku == other.Sku
        && Port == other.Port
        && CertDnsSuffixes.SequenceEqual(other.CertDnsSuffixes, StringComparer.Ordinal)
        && CertIpRanges.SequenceEqual(other.CertIpRanges, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Name, RetentionDays, PurgeProtection, Port, CertDnsSuffixes.Count, CertIpRanges.Count);
}
