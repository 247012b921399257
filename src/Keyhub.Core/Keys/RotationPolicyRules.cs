using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Keys;

/// <summary>Azure's rules for rotation policies, and when a lifetime action comes due.</summary>
internal static class RotationPolicyRules
{
    private static readonly TimeSpan MinimumTimeAfterCreate = TimeSpan.FromDays(7);
    private static readonly TimeSpan MinimumExpiry = TimeSpan.FromDays(28);

    /// <summary>Checks a policy and returns it with canonical durations and action names.</summary>
    public static RotationPolicy Validate(RotationPolicy policy)
    {
        string? expiry = null;
        if (policy.ExpiryTime is not null)
        {
            var duration = Parse(policy.ExpiryTime, "expiryTime");
            if (duration.ApproximateLength < MinimumExpiry)
            {
                throw E.BadParameter("expiryTime must be at least 28 days (P28D).");
            }
            expiry = duration.ToString();
        }
        if (policy.LifetimeActions.Count > 2)
        {
            throw E.BadParameter("A rotation policy has at most one Rotate and one Notify action.");
        }
        var actions = new List<LifetimeAction>();
        foreach (var action in policy.LifetimeActions)
        {
            var type = action.Action?.ToUpperInvariant() switch
            {
                "ROTATE" => RotationActions.Rotate,
                "NOTIFY" => RotationActions.Notify,
                _ => throw E.BadParameter($"Unknown lifetime action '{action.Action}': use Rotate or Notify."),
            };
            if ((action.TimeAfterCreate is null) == (action.TimeBeforeExpiry is null))
            {
                throw E.BadParameter("Each lifetime action's trigger has exactly one of timeAfterCreate and timeBeforeExpiry.");
            }
            string? afterCreate = null, beforeExpiry = null;
            if (action.TimeAfterCreate is not null)
            {
                if (type == RotationActions.Notify)
                {
                    throw E.BadParameter("A Notify action is triggered by timeBeforeExpiry only.");
                }
                var d = Parse(action.TimeAfterCreate, "timeAfterCreate");
                if (d.ApproximateLength < MinimumTimeAfterCreate)
                {
                    throw E.BadParameter("timeAfterCreate must be at least 7 days (P7D).");
                }
                afterCreate = d.ToString();
            }
            else
            {
                beforeExpiry = Parse(action.TimeBeforeExpiry!, "timeBeforeExpiry").ToString();
            }
            actions.Add(new LifetimeAction(afterCreate, beforeExpiry, type));
        }
        if (actions.GroupBy(a => a.Action).Any(g => g.Count() > 1))
        {
            throw E.BadParameter("A rotation policy has at most one Rotate and one Notify action.");
        }
        return new RotationPolicy { LifetimeActions = actions, ExpiryTime = expiry };
    }

    public static bool IsDue(LifetimeAction action, DateTimeOffset created, DateTimeOffset? expires, DateTimeOffset now)
    {
        if (action.TimeAfterCreate is { } after && IsoDuration.TryParse(after, out var a))
        {
            return a.AddTo(created) <= now;
        }
        if (action.TimeBeforeExpiry is { } before && expires is { } exp && IsoDuration.TryParse(before, out var b))
        {
            return b.SubtractFrom(exp) <= now;
        }
        return false;
    }

    private static IsoDuration Parse(string text, string field) =>
        IsoDuration.TryParse(text, out var d) ? d : throw E.BadParameter($"{field} '{text}' is not an ISO-8601 duration such as P90D or P2Y.");
}
