namespace Keyhub.Core.Vaults;

/// <summary>A vault's settings; retention (7–90 days) is fixed at creation, as in Azure.</summary>
public sealed record VaultProperties
{
    public required string Name { get; init; }
    public int RetentionDays { get; init; } = 90;
    public bool PurgeProtection { get; init; }

    /// <summary>The vault's own HTTPS port (a port-bound vault), or null for a vault addressed by host name.</summary>
    public int? Port { get; init; }

    /// <summary>Azure's <c>recoveryLevel</c> for this vault's objects (wire.md §6).</summary>
    public string RecoveryLevel => (RetentionDays == 90, PurgeProtection) switch
    {
        (true, false) => "Recoverable+Purgeable",
        (true, true) => "Recoverable",
        (false, false) => "CustomizedRecoverable+Purgeable",
        (false, true) => "CustomizedRecoverable",
    };
}
