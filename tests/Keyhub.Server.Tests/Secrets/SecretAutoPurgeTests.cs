using System.Diagnostics;
using Azure;
using Keyhub.Server.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Keyhub.Server.Tests.Secrets.SecretAssertions;

namespace Keyhub.Server.Tests.Secrets;

/// <summary>
/// Soft-deleted secrets are purged automatically when their retention ends (background service on
/// TimeProvider). The purge interval is an hour here rather than a minute: FakeTimeProvider fires a
/// periodic timer once per elapsed period, and 89 days of one-minute ticks take about ten seconds.
/// </summary>
public sealed class SecretAutoPurgeTests
{
    [Fact]
    public async Task A_deleted_secret_is_kept_for_90_days_and_then_purged_automatically()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await KeyhubTestServer.StartAsync(time, o => o with { PurgeInterval = TimeSpan.FromHours(1) });
        var client = server.SecretClient();
        var name = UniqueName("auto-purge");
        var kept = UniqueName("kept");
        await client.SetSecretAsync(name, "v");
        await client.SetSecretAsync(kept, "still here");
        var deleted = (await (await client.StartDeleteSecretAsync(name)).WaitForCompletionAsync()).Value;
        Assert.Equal(time.GetUtcNow().AddDays(90).ToUnixTimeSeconds(), deleted.ScheduledPurgeDate!.Value.ToUnixTimeSeconds());

        time.Advance(TimeSpan.FromDays(89));

        // Tokens are issued and validated on the fake clock, but the SDK caches its token by the real
        // clock and, on a plain 401 challenge, asks its credential again, which returns the same cached
        // token. So after each jump of the clock a new client (new credential, empty token cache) is used.
        client = server.SecretClient();
        var stillDeleted = (await client.GetDeletedSecretAsync(name)).Value;
        Assert.Equal(deleted.ScheduledPurgeDate, stillDeleted.ScheduledPurgeDate);

        time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(2));
        client = server.SecretClient();

        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await client.GetDeletedSecretAsync(name);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                Assert.Equal("SecretNotFound", e.ErrorCode);
                break;
            }
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "The deleted secret was not purged within 5 s after its retention ended.");
            await Task.Delay(50);
        }
        Assert.Equal("still here", (await client.GetSecretAsync(kept)).Value.Value);
        await client.SetSecretAsync(name, "name is free again");
    }
}
