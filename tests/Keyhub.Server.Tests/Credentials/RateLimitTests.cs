using System.Net;
using Keyhub.Server.Identity;
using Keyhub.Server.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Keyhub.Server.Tests.Credentials;

/// <summary>
/// Failed client authentication is rate-limited per client id: after 10 failures in 5 minutes the next
/// attempt — even with the right secret — is 429 <c>invalid_client</c> with Retry-After, until the window passes.
/// A dedicated server on a fake clock, so no other test shares its counters.
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    // Starts at the real time: the dev TLS certificate is issued on this clock and the client checks it on the real one.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private KeyhubTestServer? _server;

    private KeyhubTestServer Server => _server!;

    public async Task InitializeAsync() => _server = await KeyhubTestServer.StartAsync(_time);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Eleventh_wrong_secret_is_429_and_the_right_secret_is_refused_until_the_window_passes()
    {
        var (clientId, clientSecret, _) = await Server.AddPrincipalAsync("rate-limited");
        Assert.Equal(10, FailedAuthenticationLimiter.MaxFailuresPerClient);

        for (var i = 1; i <= 10; i++)
        {
            var (status, body, _) = await CredentialKit.SecretTokenAsync(Server, clientId, "wrong-secret-" + i);
            CredentialKit.AssertInvalidClient(status, body);
        }

        var (limited, limitedBody, limitedResponse) = await CredentialKit.SecretTokenAsync(Server, clientId, "wrong-secret-11");
        CredentialKit.AssertInvalidClient(limited, limitedBody, HttpStatusCode.TooManyRequests);
        var retryAfter = limitedResponse.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        Assert.DoesNotContain("wrong-secret", limitedBody.ToJsonString(), StringComparison.Ordinal);

        // The right secret is refused too while the client is locked …
        var (right, rightBody, rightResponse) = await CredentialKit.SecretTokenAsync(Server, clientId, clientSecret);
        CredentialKit.AssertInvalidClient(right, rightBody, HttpStatusCode.TooManyRequests);
        Assert.NotNull(rightResponse.Headers.RetryAfter?.Delta);

        // … but other clients are not affected (per-client limit, far below the per-address one).
        var (admin, adminBody, _) = await CredentialKit.SecretTokenAsync(Server, Server.Credentials.ClientId, Server.Credentials.ClientSecret);
        Assert.True(admin == HttpStatusCode.OK, adminBody.ToJsonString());

        // Almost the whole window: still locked.
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(30));
        var (still, stillBody, _) = await CredentialKit.SecretTokenAsync(Server, clientId, clientSecret);
        CredentialKit.AssertInvalidClient(still, stillBody, HttpStatusCode.TooManyRequests);

        // Once the window has passed, the right secret works again.
        _time.Advance(TimeSpan.FromSeconds(31));
        var (recovered, recoveredBody, _) = await CredentialKit.SecretTokenAsync(Server, clientId, clientSecret);
        Assert.True(recovered == HttpStatusCode.OK, recoveredBody.ToJsonString());
    }

    [Fact]
    public async Task Client_id_lookup_is_case_insensitive_for_the_limit()
    {
        var (clientId, clientSecret, _) = await Server.AddPrincipalAsync("rate-limited-case");
        for (var i = 0; i < 10; i++)
        {
            var id = i % 2 == 0 ? clientId.ToUpperInvariant() : clientId;
            await CredentialKit.SecretTokenAsync(Server, id, "wrong");
        }
        var (status, body, _) = await CredentialKit.SecretTokenAsync(Server, clientId, clientSecret);
        CredentialKit.AssertInvalidClient(status, body, HttpStatusCode.TooManyRequests);
    }
}
