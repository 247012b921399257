using System.Net;
using Keyhub.Server.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Keyhub.Server.Tests.Credentials;

/// <summary>A client secret with an expiry gets tokens until that moment and never after; other secrets keep working.</summary>
public sealed class ExpiringSecretTests
{
    [Fact]
    public async Task An_expired_client_secret_gets_no_token_while_the_principal_s_other_secret_still_does()
    {
        // Starts at the real time: the dev TLS certificate is issued on this clock and checked on the real one.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await KeyhubTestServer.StartAsync(time);
        var (clientId, permanentSecret, _) = await server.AddPrincipalAsync("expiring");
        var (_, expiringSecret) = await server.Server.Runtime.Principals.AddSecretAsync(clientId, time.GetUtcNow().AddDays(1), CancellationToken.None);

        var (before, _, _) = await CredentialKit.SecretTokenAsync(server, clientId, expiringSecret);
        Assert.Equal(HttpStatusCode.OK, before);

        time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        var (after, body, _) = await CredentialKit.SecretTokenAsync(server, clientId, expiringSecret);
        CredentialKit.AssertInvalidClient(after, body);
        Assert.DoesNotContain(expiringSecret, body.ToJsonString(), StringComparison.Ordinal);
        var (other, _, _) = await CredentialKit.SecretTokenAsync(server, clientId, permanentSecret);
        Assert.Equal(HttpStatusCode.OK, other);
    }
}
