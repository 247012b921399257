using Keyhub.Core.Errors;
using Keyhub.Core.Keys;

namespace Keyhub.Core.Tests.Keys;

public sealed class RotationPolicyRulesTests
{
    private static readonly DateTimeOffset Created = new(2025, 1, 31, 12, 0, 0, TimeSpan.Zero);

    // ---- Validate ----

    [Fact]
    public void Valid_policy_is_returned_with_canonical_durations_and_action_names()
    {
        var policy = new RotationPolicy
        {
            LifetimeActions =
            [
                new LifetimeAction("P0Y90D", null, "rotate"),
                new LifetimeAction(null, "P30D", "NOTIFY"),
            ],
            ExpiryTime = "P1Y0M",
            Created = Created,
        };

        var valid = RotationPolicyRules.Validate(policy);

        Assert.Equal("P1Y", valid.ExpiryTime);
        Assert.Equal(
            new[] { new LifetimeAction("P90D", null, RotationActions.Rotate), new LifetimeAction(null, "P30D", RotationActions.Notify) },
            valid.LifetimeActions);
        Assert.Null(valid.Created);
        Assert.Null(valid.Updated);
    }

    [Theory]
    [InlineData("Rotate")]
    [InlineData("rotate")]
    [InlineData("ROTATE")]
    [InlineData("rOtAtE")]
    public void Action_names_are_case_insensitive_and_normalised_to_Rotate(string action)
    {
        var valid = RotationPolicyRules.Validate(new RotationPolicy { LifetimeActions = [new LifetimeAction("P30D", null, action)] });

        Assert.Equal("Rotate", Assert.Single(valid.LifetimeActions).Action);
    }

    [Theory]
    [InlineData("notify")]
    [InlineData("Notify")]
    public void Notify_is_normalised_too(string action)
    {
        var valid = RotationPolicyRules.Validate(new RotationPolicy { LifetimeActions = [new LifetimeAction(null, "P7D", action)] });

        Assert.Equal("Notify", Assert.Single(valid.LifetimeActions).Action);
    }

    [Fact]
    public void Empty_policy_is_valid()
    {
        var valid = RotationPolicyRules.Validate(new RotationPolicy());

        Assert.Empty(valid.LifetimeActions);
        Assert.Null(valid.ExpiryTime);
    }

    [Theory]
    [InlineData("P7D")]
    [InlineData("P1W")]
    [InlineData("P6DT24H")]
    [InlineData("P1M")]
    [InlineData("P2Y")]
    public void TimeAfterCreate_of_at_least_7_days_is_accepted(string duration)
    {
        RotationPolicyRules.Validate(new RotationPolicy { LifetimeActions = [new LifetimeAction(duration, null, "Rotate")] });
    }

    [Theory]
    [InlineData("P6D")]
    [InlineData("P6DT23H59M59S")]
    [InlineData("PT167H")]
    [InlineData("P0D")]
    public void TimeAfterCreate_under_7_days_is_a_bad_parameter(string duration)
    {
        var error = AssertBad(() => RotationPolicyRules.Validate(new RotationPolicy { LifetimeActions = [new LifetimeAction(duration, null, "Rotate")] }));

        Assert.Contains("P7D", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("P28D")]
    [InlineData("P4W")]
    [InlineData("P1M")]
    [InlineData("P90D")]
    [InlineData("P2Y")]
    public void ExpiryTime_of_at_least_28_days_is_accepted(string duration)
    {
        Assert.Equal(duration, RotationPolicyRules.Validate(new RotationPolicy { ExpiryTime = duration }).ExpiryTime);
    }

    [Theory]
    [InlineData("P27D")]
    [InlineData("P3W")]
    [InlineData("P27DT23H")]
    [InlineData("PT1H")]
    public void ExpiryTime_under_28_days_is_a_bad_parameter(string duration)
    {
        var error = AssertBad(() => RotationPolicyRules.Validate(new RotationPolicy { ExpiryTime = duration }));

        Assert.Contains("P28D", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90 days")]
    [InlineData("P")]
    [InlineData("")]
    [InlineData("p90d")]
    [InlineData("P-90D")]
    [InlineData("P1.5Y")]
    public void Durations_that_are_not_ISO_8601_are_a_bad_parameter(string duration)
    {
        AssertBad(() => RotationPolicyRules.Validate(new RotationPolicy { ExpiryTime = duration }));
        AssertBad(() => RotationPolicyRules.Validate(new RotationPolicy { LifetimeActions = [new LifetimeAction(duration, null, "Rotate")] }));
        AssertBad(() => RotationPolicyRules.Validate(new RotationPolicy { LifetimeActions = [new LifetimeAction(null, duration, "Notify")] }));
    }

    [Theory]
    [InlineData("P30D", "P30D")]
    [InlineData(null, null)]
    public void Trigger_with_both_or_neither_duration_is_a_bad_parameter(string? afterCreate, string? beforeExpiry)
    {
        AssertBad(() => RotationPolicyRules.Validate(new RotationPolicy { LifetimeActions = [new LifetimeAction(afterCreate, beforeExpiry, "Rotate")] }));
    }

    [Fact]
    public void Notify_triggered_by_timeAfterCreate_is_a_bad_parameter()
    {
        AssertBad(() => RotationPolicyRules.Validate(new RotationPolicy { LifetimeActions = [new LifetimeAction("P30D", null, "Notify")] }));
    }

    [Theory]
    [InlineData("Delete")]
    [InlineData("Rotate ")]
    [InlineData("")]
    [InlineData("EmailContacts")]
    [InlineData(null)]
    public void Unknown_action_is_a_bad_parameter(string? action)
    {
        AssertBad(() => RotationPolicyRules.Validate(new RotationPolicy { LifetimeActions = [new LifetimeAction("P30D", null, action!)] }));
    }

    [Fact]
    public void Two_Rotate_actions_are_a_bad_parameter_even_in_different_case()
    {
        AssertBad(() => RotationPolicyRules.Validate(new RotationPolicy
        {
            LifetimeActions = [new LifetimeAction("P30D", null, "Rotate"), new LifetimeAction(null, "P10D", "rotate")],
        }));
    }

    [Fact]
    public void Two_Notify_actions_are_a_bad_parameter()
    {
        AssertBad(() => RotationPolicyRules.Validate(new RotationPolicy
        {
            LifetimeActions = [new LifetimeAction(null, "P30D", "Notify"), new LifetimeAction(null, "P10D", "Notify")],
        }));
    }

    [Fact]
    public void Three_actions_are_a_bad_parameter()
    {
        AssertBad(() => RotationPolicyRules.Validate(new RotationPolicy
        {
            LifetimeActions =
            [
                new LifetimeAction("P30D", null, "Rotate"),
                new LifetimeAction(null, "P10D", "Notify"),
                new LifetimeAction(null, "P20D", "Notify"),
            ],
        }));
    }

    // ---- IsDue ----

    [Fact]
    public void TimeAfterCreate_is_due_from_created_plus_the_duration_on()
    {
        var action = new LifetimeAction("P7D", null, RotationActions.Rotate);

        Assert.False(RotationPolicyRules.IsDue(action, Created, null, Created));
        Assert.False(RotationPolicyRules.IsDue(action, Created, null, Created.AddDays(7).AddSeconds(-1)));
        Assert.True(RotationPolicyRules.IsDue(action, Created, null, Created.AddDays(7)));
        Assert.True(RotationPolicyRules.IsDue(action, Created, null, Created.AddYears(3)));
    }

    [Fact]
    public void TimeAfterCreate_in_months_uses_calendar_arithmetic()
    {
        // Jan 31 + P1M = Feb 28 (2025 is not a leap year).
        var action = new LifetimeAction("P1M", null, RotationActions.Rotate);

        Assert.False(RotationPolicyRules.IsDue(action, Created, null, new DateTimeOffset(2025, 2, 28, 11, 59, 59, TimeSpan.Zero)));
        Assert.True(RotationPolicyRules.IsDue(action, Created, null, new DateTimeOffset(2025, 2, 28, 12, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void TimeBeforeExpiry_is_due_from_expiry_minus_the_duration_on()
    {
        var action = new LifetimeAction(null, "P30D", RotationActions.Notify);
        var expires = Created.AddDays(90);

        Assert.False(RotationPolicyRules.IsDue(action, Created, expires, Created.AddDays(60).AddSeconds(-1)));
        Assert.True(RotationPolicyRules.IsDue(action, Created, expires, Created.AddDays(60)));
        Assert.True(RotationPolicyRules.IsDue(action, Created, expires, expires.AddDays(1)));
    }

    [Fact]
    public void TimeBeforeExpiry_is_never_due_for_a_version_without_expiry()
    {
        var action = new LifetimeAction(null, "P30D", RotationActions.Rotate);

        Assert.False(RotationPolicyRules.IsDue(action, Created, null, Created.AddYears(100)));
    }

    [Fact]
    public void Action_with_an_unparseable_duration_is_never_due()
    {
        Assert.False(RotationPolicyRules.IsDue(new LifetimeAction("soon", null, RotationActions.Rotate), Created, null, Created.AddYears(1)));
        Assert.False(RotationPolicyRules.IsDue(new LifetimeAction(null, "soon", RotationActions.Rotate), Created, Created, Created.AddYears(1)));
    }

    [Fact]
    public void Default_policy_is_Notify_30_days_before_expiry_without_expiryTime()
    {
        var action = Assert.Single(RotationPolicy.Default.LifetimeActions);

        Assert.Equal(new LifetimeAction(null, "P30D", "Notify"), action);
        Assert.Null(RotationPolicy.Default.ExpiryTime);
        Assert.Equal(RotationPolicy.Default.LifetimeActions, RotationPolicyRules.Validate(RotationPolicy.Default).LifetimeActions);
    }

    private static KeyhubException AssertBad(Func<RotationPolicy> action)
    {
        var error = Assert.Throws<KeyhubException>(() => { action(); });
        Assert.Equal(400, error.Status);
        Assert.Equal("BadParameter", error.Code);
        return error;
    }
}
