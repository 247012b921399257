using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Keyhub.Core.Keys;

/// <summary>
/// An ISO 8601 duration as Azure's key rotation policy writes them: <c>timeAfterCreate</c> "P90D",
/// <c>timeBeforeExpiry</c> "P30D", <c>expiryTime</c> "P2Y". Only the form
/// <c>PnYnMnDTnHnMnS</c> (any components, in that order, at least one) or <c>PnW</c> alone, with
/// non-negative whole numbers of at most <see cref="MaxComponent"/>.
/// </summary>
/// <remarks>
/// Equality is by component, not by length: P1Y ≠ P12M and P4W ≠ P28D, so that what was set is
/// what is read back. The only way to make one is <see cref="TryParse"/>; <c>default</c> is P0D.
/// </remarks>
public readonly partial record struct IsoDuration
{
    /// <summary>Bounds each component, so that no arithmetic on it can overflow.</summary>
    public const int MaxComponent = 10_000;

    private IsoDuration(int years, int months, int weeks, int days, int hours, int minutes, int seconds)
    {
        Years = years;
        Months = months;
        Weeks = weeks;
        Days = days;
        Hours = hours;
        Minutes = minutes;
        Seconds = seconds;
    }

    public int Years { get; }
    public int Months { get; }
    public int Weeks { get; }
    public int Days { get; }
    public int Hours { get; }
    public int Minutes { get; }
    public int Seconds { get; }

    /// <summary>
    /// The length with a year counted as 365 days and a month as 30, for minimum-length checks
    /// (Azure requires timeAfterCreate ≥ 7 days and expiryTime ≥ 28 days); never for scheduling.
    /// </summary>
    public TimeSpan ApproximateLength =>
        new(365 * Years + 30 * Months + 7 * Weeks + Days, Hours, Minutes, Seconds);

    public static bool TryParse([NotNullWhen(true)] string? text, out IsoDuration value)
    {
        value = default;
        if (text is null)
        {
            return false;
        }
        IsoDuration parsed;
        if (WeeksPattern().Match(text) is { Success: true } weeks)
        {
            parsed = new IsoDuration(0, 0, Component(weeks, "w"), 0, 0, 0, 0);
        }
        else if (Pattern().Match(text) is { Success: true } match)
        {
            parsed = new IsoDuration(
                Component(match, "y"), Component(match, "mo"), 0, Component(match, "d"),
                Component(match, "h"), Component(match, "mi"), Component(match, "s"));
        }
        else
        {
            return false;
        }
        if (!parsed.IsWithinBounds)
        {
            return false;
        }
        value = parsed;
        return true;
    }

    /// <summary>
    /// Calendar arithmetic as XML Schema (and java.time's Period) define it: years and months are added
    /// together as one month count, the day being clamped to the end of a shorter month
    /// (Jan 31 + P1M = Feb 28 or 29); then weeks, days and time are added as elapsed time.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The result is outside <see cref="DateTimeOffset"/>'s range.</exception>
    public DateTimeOffset AddTo(DateTimeOffset t) =>
        t.AddMonths(12 * Years + Months) + Clock;

    /// <summary>
    /// Adds the negated duration: months first, then weeks, days and time, so
    /// Mar 31 − P1M = Feb 28 or 29. <c>SubtractFrom(AddTo(t))</c> is not always <c>t</c> at month ends.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The result is outside <see cref="DateTimeOffset"/>'s range.</exception>
    public DateTimeOffset SubtractFrom(DateTimeOffset t) =>
        t.AddMonths(-(12 * Years + Months)) - Clock;

    /// <summary>The canonical form: zero components left out, P0D for zero, PnW for weeks.</summary>
    public override string ToString()
    {
        if (Weeks != 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"P{Weeks}W");
        }
        var builder = new StringBuilder("P");
        Append(builder, Years, 'Y');
        Append(builder, Months, 'M');
        Append(builder, Days, 'D');
        if (Hours != 0 || Minutes != 0 || Seconds != 0)
        {
            builder.Append('T');
            Append(builder, Hours, 'H');
            Append(builder, Minutes, 'M');
            Append(builder, Seconds, 'S');
        }
        return builder.Length == 1 ? "P0D" : builder.ToString();
    }

    private TimeSpan Clock => new(7 * Weeks + Days, Hours, Minutes, Seconds);

    private static void Append(StringBuilder builder, int component, char designator)
    {
        if (component != 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{component}{designator}");
        }
    }

    private static int Component(Match match, string name)
    {
        var group = match.Groups[name];
        return group.Success ? int.Parse(group.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
    }

    private bool IsWithinBounds =>
        Years <= MaxComponent && Months <= MaxComponent && Weeks <= MaxComponent && Days <= MaxComponent
        && Hours <= MaxComponent && Minutes <= MaxComponent && Seconds <= MaxComponent;

    // Five digits at most keeps int.Parse from overflowing; the bound is then checked exactly.
    // The lookaheads demand at least one component overall and at least one after T.
    [GeneratedRegex(
        @"^P(?=[0-9T])(?:(?<y>[0-9]{1,5})Y)?(?:(?<mo>[0-9]{1,5})M)?(?:(?<d>[0-9]{1,5})D)?" +
        @"(?:T(?=[0-9])(?:(?<h>[0-9]{1,5})H)?(?:(?<mi>[0-9]{1,5})M)?(?:(?<s>[0-9]{1,5})S)?)?\z",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^P(?<w>[0-9]{1,5})W\z", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex WeeksPattern();
}
