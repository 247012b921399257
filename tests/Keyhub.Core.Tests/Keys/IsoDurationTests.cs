using Keyhub.Core.Keys;

namespace Keyhub.Core.Tests.Keys;

public sealed class IsoDurationTests
{
    // text, then years, months, weeks, days, hours, minutes, seconds
    public static TheoryData<string, int[]> Valid => new()
    {
        { "P90D", [0, 0, 0, 90, 0, 0, 0] },
        { "P30D", [0, 0, 0, 30, 0, 0, 0] },
        { "P2Y", [2, 0, 0, 0, 0, 0, 0] },
        { "P1Y6M", [1, 6, 0, 0, 0, 0, 0] },
        { "P4W", [0, 0, 4, 0, 0, 0, 0] },
        { "PT12H", [0, 0, 0, 0, 12, 0, 0] },
        { "P1DT2H30M", [0, 0, 0, 1, 2, 30, 0] },
        { "P1Y2M3DT4H5M6S", [1, 2, 0, 3, 4, 5, 6] },
        { "P1M", [0, 1, 0, 0, 0, 0, 0] },
        { "PT1M", [0, 0, 0, 0, 0, 1, 0] },
        { "PT45S", [0, 0, 0, 0, 0, 0, 45] },
        { "P1YT1S", [1, 0, 0, 0, 0, 0, 1] },
        { "P10000D", [0, 0, 0, 10000, 0, 0, 0] },
        { "P10000W", [0, 0, 10000, 0, 0, 0, 0] },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_durations_parse_into_their_components(string text, int[] expected)
    {
        Assert.True(IsoDuration.TryParse(text, out var duration));

        int[] actual = [duration.Years, duration.Months, duration.Weeks, duration.Days, duration.Hours, duration.Minutes, duration.Seconds];
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void Canonical_text_round_trips_through_ToString(string text, int[] expected)
    {
        _ = expected;
        Assert.True(IsoDuration.TryParse(text, out var duration));

        Assert.Equal(text, duration.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("T1H")]
    [InlineData("1D")]
    [InlineData("P1")]
    [InlineData("PT1")]
    [InlineData("p1d")]
    [InlineData("P1d")]
    [InlineData("p1D")]
    [InlineData("pt1h")]
    [InlineData("Pt1H")]
    [InlineData("P1w")]
    [InlineData("P-1D")]
    [InlineData("-P1D")]
    [InlineData("+P1D")]
    [InlineData("P+1D")]
    [InlineData("P1.5D")]
    [InlineData("P1,5D")]
    [InlineData("PT0.5S")]
    [InlineData("P1W2D")]
    [InlineData("P2D1W")]
    [InlineData("P1Y1W")]
    [InlineData("P1WT1H")]
    [InlineData("P0W1D")]
    [InlineData("PW")]
    [InlineData("PT1D")]
    [InlineData("PT1Y")]
    [InlineData("P1H")]
    [InlineData("P1S")]
    [InlineData("P1DT")]
    [InlineData("P1M1Y")]
    [InlineData("P1D1M")]
    [InlineData("PT1S1M")]
    [InlineData("PT1M1H")]
    [InlineData("P1D1D")]
    [InlineData("PT1H1H")]
    [InlineData("P1DT1HT1M")]
    [InlineData("PD")]
    [InlineData("PTH")]
    [InlineData(" P1D")]
    [InlineData("P1D ")]
    [InlineData("P 1D")]
    [InlineData("P1D\n")]
    [InlineData("P1D\0")]
    [InlineData("P\uFF11D")]
    [InlineData("P\u0661D")]
    [InlineData("P10001D")]
    [InlineData("P10001W")]
    [InlineData("PT10001S")]
    [InlineData("P99999Y")]
    [InlineData("P100000D")]
    [InlineData("P2147483648D")]
    [InlineData("P99999999999999999999D")]
    [InlineData("R/P1D")]
    [InlineData("P1DP1D")]
    public void Invalid_durations_are_refused(string text)
    {
        Assert.False(IsoDuration.TryParse(text, out var duration));
        Assert.Equal(default, duration);
    }

    [Fact]
    public void Null_is_refused()
    {
        Assert.False(IsoDuration.TryParse(null, out _));
    }

    [Theory]
    [InlineData("P0D", "P0D")]
    [InlineData("PT0S", "P0D")]
    [InlineData("P0W", "P0D")]
    [InlineData("P0Y0M0DT0H0M0S", "P0D")]
    [InlineData("P007D", "P7D")]
    [InlineData("P0Y90D", "P90D")]
    [InlineData("P1DT0H", "P1D")]
    [InlineData("P0DT2H", "PT2H")]
    public void Non_canonical_text_is_written_back_canonically_with_the_same_value(string text, string canonical)
    {
        Assert.True(IsoDuration.TryParse(text, out var duration));

        Assert.Equal(canonical, duration.ToString());
        Assert.True(IsoDuration.TryParse(duration.ToString(), out var again));
        Assert.Equal(duration, again);
    }

    [Fact]
    public void Default_is_zero_and_written_P0D()
    {
        Assert.Equal("P0D", default(IsoDuration).ToString());
        Assert.Equal(TimeSpan.Zero, default(IsoDuration).ApproximateLength);
    }

    [Fact]
    public void Random_durations_round_trip_through_ToString()
    {
        var random = new Random(3394);
        for (var i = 0; i < 2000; i++)
        {
            var text = RandomText(random);
            Assert.True(IsoDuration.TryParse(text, out var duration), text);

            Assert.True(IsoDuration.TryParse(duration.ToString(), out var again), duration.ToString());
            Assert.Equal(duration, again);
            Assert.Equal(duration.ToString(), again.ToString());
        }
    }

    [Fact]
    public void Equality_is_by_component_not_by_length()
    {
        Assert.Equal(Parse("P90D"), Parse("P90D"));
        Assert.NotEqual(Parse("P1Y"), Parse("P12M"));
        Assert.NotEqual(Parse("P4W"), Parse("P28D"));
        Assert.Equal(Parse("P4W").ApproximateLength, Parse("P28D").ApproximateLength);
    }

    [Theory]
    [InlineData("P1Y", 365, 0)]
    [InlineData("P2Y", 730, 0)]
    [InlineData("P1M", 30, 0)]
    [InlineData("P1Y6M", 545, 0)]
    [InlineData("P4W", 28, 0)]
    [InlineData("P7D", 7, 0)]
    [InlineData("PT12H", 0, 12 * 3600)]
    [InlineData("P1DT2H30M15S", 1, 2 * 3600 + 30 * 60 + 15)]
    public void ApproximateLength_counts_a_year_as_365_days_and_a_month_as_30(string text, int days, int seconds)
    {
        Assert.Equal(TimeSpan.FromDays(days) + TimeSpan.FromSeconds(seconds), Parse(text).ApproximateLength);
    }

    [Fact]
    public void ApproximateLength_of_the_largest_duration_does_not_overflow()
    {
        Assert.True(IsoDuration.TryParse("P10000Y10000M10000DT10000H10000M10000S", out var largest));

        Assert.Equal(
            TimeSpan.FromDays(10000 * 365 + 10000 * 30 + 10000) + TimeSpan.FromHours(10000) + TimeSpan.FromMinutes(10000) + TimeSpan.FromSeconds(10000),
            largest.ApproximateLength);
    }

    [Theory]
    [InlineData("2025-01-31T00:00:00Z", "P1M", "2025-02-28T00:00:00Z")]
    [InlineData("2024-01-31T00:00:00Z", "P1M", "2024-02-29T00:00:00Z")]
    [InlineData("2025-03-31T10:00:00Z", "P1M", "2025-04-30T10:00:00Z")]
    [InlineData("2025-01-31T00:00:00Z", "P1M1D", "2025-03-01T00:00:00Z")]
    [InlineData("2024-02-29T00:00:00Z", "P1Y", "2025-02-28T00:00:00Z")]
    [InlineData("2024-02-29T00:00:00Z", "P4Y", "2028-02-29T00:00:00Z")]
    [InlineData("2024-02-29T00:00:00Z", "P1Y1M", "2025-03-29T00:00:00Z")]
    [InlineData("2025-01-01T00:00:00Z", "P90D", "2025-04-01T00:00:00Z")]
    [InlineData("2025-01-01T00:00:00Z", "P2Y", "2027-01-01T00:00:00Z")]
    [InlineData("2025-01-01T00:00:00Z", "P4W", "2025-01-29T00:00:00Z")]
    [InlineData("2025-01-01T18:00:00Z", "PT12H", "2025-01-02T06:00:00Z")]
    [InlineData("2025-12-31T23:00:00Z", "P1DT2H30M", "2026-01-02T01:30:00Z")]
    [InlineData("2025-01-01T00:00:00Z", "P1Y2M3DT4H5M6S", "2026-03-04T04:05:06Z")]
    [InlineData("2025-01-31T00:00:00+02:00", "P1M", "2025-02-28T00:00:00+02:00")]
    public void AddTo_adds_months_on_the_calendar_then_days_and_time(string start, string duration, string expected)
    {
        var result = Parse(duration).AddTo(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), result);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture).Offset, result.Offset);
    }

    [Theory]
    [InlineData("2025-03-31T00:00:00Z", "P1M", "2025-02-28T00:00:00Z")]
    [InlineData("2024-03-31T00:00:00Z", "P1M", "2024-02-29T00:00:00Z")]
    [InlineData("2027-01-01T00:00:00Z", "P30D", "2026-12-02T00:00:00Z")]
    [InlineData("2025-01-01T06:00:00Z", "PT12H", "2024-12-31T18:00:00Z")]
    [InlineData("2025-03-01T00:00:00Z", "P1M1D", "2025-01-31T00:00:00Z")]
    [InlineData("2025-02-28T00:00:00Z", "P1Y", "2024-02-28T00:00:00Z")]
    public void SubtractFrom_subtracts_months_on_the_calendar_then_days_and_time(string start, string duration, string expected)
    {
        var result = Parse(duration).SubtractFrom(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), result);
    }

    [Fact]
    public void Durations_without_months_subtract_back_exactly()
    {
        var start = new DateTimeOffset(2025, 5, 17, 13, 14, 15, TimeSpan.FromHours(-7));
        foreach (var text in new[] { "P90D", "P4W", "PT12H", "P1DT2H30M", "P10000DT10000H10000M10000S" })
        {
            var duration = Parse(text);

            Assert.Equal(start, duration.SubtractFrom(duration.AddTo(start)));
        }
    }

    [Fact]
    public void AddTo_beyond_the_calendar_throws_ArgumentOutOfRangeException()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Parse("P10000Y").AddTo(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Parse("P1D").SubtractFrom(DateTimeOffset.MinValue));
    }

    private static IsoDuration Parse(string text)
    {
        Assert.True(IsoDuration.TryParse(text, out var duration), text);
        return duration;
    }

    private static string RandomText(Random random)
    {
        if (random.Next(8) == 0)
        {
            return $"P{random.Next(IsoDuration.MaxComponent + 1)}W";
        }
        string Part(char designator) =>
            random.Next(2) == 0 ? "" : $"{random.Next(IsoDuration.MaxComponent + 1)}{designator}";
        var date = Part('Y') + Part('M') + Part('D');
        var time = Part('H') + Part('M') + Part('S');
        var text = "P" + date + (time.Length > 0 ? "T" + time : "");
        return text == "P" ? "P1D" : text;
    }
}
