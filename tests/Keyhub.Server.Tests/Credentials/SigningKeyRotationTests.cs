using System.Net;
using System.Text.Json.Nodes;
using Keyhub.Server.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Keyhub.Server.Tests.Credentials;

/// <summary>
/// Rotating the token signing key publishes a new kid beside the old one; tokens signed by the old key keep
/// working until they expire; after the grace period (lifetime + skew) and a purge tick only the new kid is left.
/// </summary>
public sealed class SigningKeyRotationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private KeyhubTestServer? _server;

    private KeyhubTestServer Server => _server!;

    public async Task InitializeAsync() => _server = await KeyhubTestServer.StartAsync(_time, o => o with { PurgeInterval = TimeSpan.FromMinutes(1) });

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task<string> AdminTokenAsync()
    {
        var (status, body, _) = await CredentialKit.SecretTokenAsync(Server, Server.Credentials.ClientId, Server.Credentials.ClientSecret);
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        return body["access_token"]!.GetValue<string>();
    }

    [Fact]
    public async Task Rotation_publishes_a_new_kid_keeps_the_old_until_its_tokens_expire()
    {
        await CredentialKit.SeedSecretAsync(Server, "rotation-probe");
        var oldToken = await AdminTokenAsync();
        var oldKid = CredentialKit.KidOf(oldToken);
        Assert.Equal([oldKid], await CredentialKit.JwksKidsAsync(Server));

        var (status, body) = await CredentialKit.ManageAsync(Server, HttpMethod.Post, "/signingkeys/rotate");
        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
        var listed = body!["value"]!.AsArray().Select(k => k!["kid"]!.GetValue<string>()).ToArray();
        Assert.Contains(oldKid, listed);
        Assert.Equal(2, listed.Length);
        var newKid = listed.Single(k => k != oldKid);

        Assert.Equal(new[] { oldKid, newKid }.Order(StringComparer.Ordinal), await CredentialKit.JwksKidsAsync(Server));
        Assert.Equal(HttpStatusCode.OK, await CredentialKit.ReadWithTokenAsync(Server, oldToken, "rotation-probe"));
        var newToken = await AdminTokenAsync();
        Assert.Equal(newKid, CredentialKit.KidOf(newToken));
        Assert.Equal(HttpStatusCode.OK, await CredentialKit.ReadWithTokenAsync(Server, newToken, "rotation-probe"));

        // Just inside the grace period (lifetime 1 h + 1 min skew): both still published, old token still good.
        _time.Advance(TimeSpan.FromMinutes(60));
        await Task.Delay(200);
        Assert.Contains(oldKid, await CredentialKit.JwksKidsAsync(Server));
        Assert.Equal(HttpStatusCode.OK, await CredentialKit.ReadWithTokenAsync(Server, oldToken, "rotation-probe"));

        // Past lifetime + skew, then a purge tick: only the new kid is left and the old token is refused.
        _time.Advance(TimeSpan.FromMinutes(2));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string[] kids;
        while (true)
        {
            kids = await CredentialKit.JwksKidsAsync(Server);
            if (kids.Length == 1 || DateTime.UtcNow > deadline)
            {
                break;
            }
            _time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(100);
        }
        Assert.Equal([newKid], kids);
        Assert.Equal(HttpStatusCode.Unauthorized, await CredentialKit.ReadWithTokenAsync(Server, oldToken, "rotation-probe"));

        // A fresh token is signed by the new key and works.
        var fresh = await AdminTokenAsync();
        Assert.Equal(newKid, CredentialKit.KidOf(fresh));
        Assert.Equal(HttpStatusCode.OK, await CredentialKit.ReadWithTokenAsync(Server, fresh, "rotation-probe"));
    }
}
