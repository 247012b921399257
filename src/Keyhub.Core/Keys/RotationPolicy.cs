namespace Keyhub.Core.Keys;

/// <summary>A key's rotation policy (Azure's KeyRotationPolicy): when to rotate or notify, and how long new versions live.</summary>
public sealed record RotationPolicy
{
    public IReadOnlyList<LifetimeAction> LifetimeActions { get; init; } = [];

    /// <summary>ISO-8601 duration: new versions made by rotation expire this long after creation.</summary>
    public string? ExpiryTime { get; init; }

    public DateTimeOffset? Created { get; init; }
    public DateTimeOffset? Updated { get; init; }

    /// <summary>What Azure reports for a key that has no policy: notify 30 days before expiry.</summary>
    public static RotationPolicy Default { get; } = new() { LifetimeActions = [new LifetimeAction(null, "P30D", RotationActions.Notify)] };
}

/// <summary>One trigger (exactly one of the two durations) and its action.</summary>
public sealed record LifetimeAction(string? TimeAfterCreate, string? TimeBeforeExpiry, string Action);

public static class RotationActions
{
    public const string Rotate = "Rotate";
    public const string Notify = "Notify";
}

/// <summary>A recorded key event (a Notify action that came due); delivered by a later feature.</summary>
public sealed record KeyEvent(string Type, string KeyName, string KeyVersion, DateTimeOffset At);
