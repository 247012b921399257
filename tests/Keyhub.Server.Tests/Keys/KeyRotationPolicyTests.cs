using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyhub.Core.Keys;
using Keyhub.Core.Vaults;
using Keyhub.Server.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Keyhub.Server.Tests.Keys.RawKeysClient;

namespace Keyhub.Server.Tests.Keys;

/// <summary>
/// Automatic rotation by policy, done by the background service on the server's TimeProvider: with the
/// clock moved past <c>timeAfterCreate</c>, a new version appears without any request to the key, it
/// expires by the policy's <c>expiryTime</c>, and old versions still decrypt what they encrypted. A
/// <c>Notify</c> action is recorded once per version, however many ticks pass.
/// Tokens are issued and checked on the fake clock, so after each jump a new token is fetched.
/// </summary>
public sealed class KeyRotationPolicyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Moving_the_clock_past_timeAfterCreate_rotates_the_key_without_a_request_and_old_versions_still_decrypt()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(time);
        var vault = await VaultAsync(server);
        var name = UniqueName("auto-rotate");
        var untouched = UniqueName("no-policy");
        var secret = RandomNumberGenerator.GetBytes(32);
        byte[] ciphertext, iv, tag;
        string firstVersion;
        using (var admin = await ConnectAsync(server))
        {
            var created = await admin.CreateOkAsync(name, "oct", 256, extra: new JsonObject { ["key_ops"] = new JsonArray("encrypt", "decrypt"), ["tags"] = new JsonObject { ["app"] = "billing" } });
            firstVersion = Version(created);
            await admin.CreateOkAsync(untouched, "oct", 128);
            var (value, answer) = await admin.OperateOkAsync(name, null, "encrypt", Body("A256GCM", secret));
            (ciphertext, iv, tag) = (value, Bytes(answer, "iv"), Bytes(answer, "tag"));
            var policy = (await admin.SendAsync(HttpMethod.Put, $"/keys/{name}/rotationpolicy", Policy(("timeAfterCreate", "P30D", "Rotate")))).Ok();
            Assert.Equal("P30D", policy.GetProperty("lifetimeActions")[0].GetProperty("trigger").GetProperty("timeAfterCreate").GetString());
            Assert.Equal("P90D", policy.GetProperty("attributes").GetProperty("expiryTime").GetString());
        }

        // 29 days: not due yet, whatever the service does on its hourly ticks.
        time.Advance(TimeSpan.FromDays(29));
        await Task.Delay(200);
        Assert.Single((await server.Server.Runtime.Keys.ListVersionsAsync(vault, name, null, 25, CancellationToken.None)).Items);

        time.Advance(TimeSpan.FromDays(2));
        var rotatedAt = time.GetUtcNow();

        // Watched through the engine, not the API: no request reaches the key until the new version is there.
        var versions = await WaitForAsync(async () =>
        {
            var page = await server.Server.Runtime.Keys.ListVersionsAsync(vault, name, null, 25, CancellationToken.None);
            return page.Items.Count >= 2 ? page.Items : null;
        }, "The key was not rotated within 5 s of its timeAfterCreate.");

        var added = Assert.Single(versions, v => v.Version != firstVersion);
        Assert.Equal(2, versions.Count);
        Assert.NotNull(added.Expires);
        Assert.InRange(added.Expires.Value, rotatedAt.AddDays(90).AddMinutes(-61), rotatedAt.AddDays(90).AddMinutes(1));
        Assert.Equal(["encrypt", "decrypt"], added.KeyOps);
        Assert.Equal("billing", added.Tags!["app"]);
        Assert.Single((await server.Server.Runtime.Keys.ListVersionsAsync(vault, untouched, null, 25, CancellationToken.None)).Items);

        using (var admin = await ConnectAsync(server))
        {
            var latest = (await admin.GetAsync(name)).Ok();
            Assert.Equal(added.Version, Version(latest));
            Assert.Equal("oct", latest.GetProperty("key").GetProperty("kty").GetString());
            Assert.Equal(added.Expires.Value.ToUnixTimeSeconds(), latest.GetProperty("attributes").GetProperty("exp").GetInt64());

            // The old version still decrypts what it encrypted; the new one is a different key.
            Assert.Equal(secret, (await admin.OperateOkAsync(name, firstVersion, "decrypt", Body("A256GCM", ciphertext, iv, tag: tag))).Value);
            (await admin.OperateAsync(name, null, "decrypt", Body("A256GCM", ciphertext, iv, tag: tag))).Error(System.Net.HttpStatusCode.BadRequest, "BadParameter");
            var (again, answer) = await admin.OperateOkAsync(name, null, "encrypt", Body("A256GCM", secret));
            Assert.Equal($"{server.VaultUri.ToString().TrimEnd('/')}/keys/{name}/{added.Version}", answer.GetProperty("kid").GetString());
            Assert.Equal(secret, (await admin.OperateOkAsync(name, added.Version, "decrypt", Body("A256GCM", again, Bytes(answer, "iv"), tag: Bytes(answer, "tag")))).Value);
        }

        // More ticks within the new version's 30 days do not rotate again.
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromDays(1));
        }
        await Task.Delay(300);
        Assert.Equal(2, (await server.Server.Runtime.Keys.ListVersionsAsync(vault, name, null, 25, CancellationToken.None)).Items.Count);
    }

    [Fact]
    public async Task A_Notify_action_is_recorded_once_for_a_key_nearing_expiry_however_many_ticks_pass()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(time);
        var vault = await VaultAsync(server);
        var name = UniqueName("notify");
        var quiet = UniqueName("notify-later");
        var witness = UniqueName("witness");
        string version;
        using (var admin = await ConnectAsync(server))
        {
            var expiring = new JsonObject { ["attributes"] = new JsonObject { ["exp"] = time.GetUtcNow().AddDays(20).ToUnixTimeSeconds() } };
            version = Version(await admin.CreateOkAsync(name, "EC", crv: "P-256", extra: expiring));
            (await admin.SendAsync(HttpMethod.Put, $"/keys/{name}/rotationpolicy", Policy(("timeBeforeExpiry", "P30D", "Notify")))).Ok();
            // Expires in 60 days: its Notify is not due for another 30.
            var later = new JsonObject { ["attributes"] = new JsonObject { ["exp"] = time.GetUtcNow().AddDays(60).ToUnixTimeSeconds() } };
            await admin.CreateOkAsync(quiet, "oct", 128, extra: later);
            (await admin.SendAsync(HttpMethod.Put, $"/keys/{quiet}/rotationpolicy", Policy(("timeBeforeExpiry", "P30D", "Notify")))).Ok();
            // A key due for rotation at every tick after 7 days shows that ticks really ran.
            await admin.CreateOkAsync(witness, "oct", 128);
            (await admin.SendAsync(HttpMethod.Put, $"/keys/{witness}/rotationpolicy", Policy(("timeAfterCreate", "P7D", "Rotate")))).Ok();
        }

        time.Advance(TimeSpan.FromHours(1));
        var events = await WaitForAsync(async () =>
        {
            var recorded = await server.Server.Runtime.Keys.ListEventsAsync(vault, name, CancellationToken.None);
            return recorded.Count > 0 ? recorded : null;
        }, "No Notify event within 5 s of the tick.");
        var notify = Assert.Single(events);
        Assert.Equal("Notify", notify.Type);
        Assert.Equal(version, notify.KeyVersion);
        Assert.Equal(name, notify.KeyName);

        // Eight more days of hourly ticks: the witness rotates (so ticks ran), and there is still one event.
        for (var day = 0; day < 8; day++)
        {
            time.Advance(TimeSpan.FromDays(1));
        }
        await WaitForAsync(async () =>
        {
            var page = await server.Server.Runtime.Keys.ListVersionsAsync(vault, witness, null, 25, CancellationToken.None);
            return page.Items.Count >= 2 ? page.Items : null;
        }, "The witness key did not rotate: the rotation service is not ticking.");
        time.Advance(TimeSpan.FromHours(1));
        await server.Server.Runtime.Keys.ApplyRotationPoliciesAsync([vault], CancellationToken.None);
        await server.Server.Runtime.Keys.ApplyRotationPoliciesAsync([vault], CancellationToken.None);

        Assert.Single(await server.Server.Runtime.Keys.ListEventsAsync(vault, name, CancellationToken.None));
        Assert.Empty(await server.Server.Runtime.Keys.ListEventsAsync(vault, quiet, CancellationToken.None));
        Assert.Single((await server.Server.Runtime.Keys.ListVersionsAsync(vault, name, null, 25, CancellationToken.None)).Items);
    }

    private static Task<KeyhubTestServer> StartAsync(FakeTimeProvider time) =>
        KeyhubTestServer.StartAsync(time, o => o with { RotationInterval = TimeSpan.FromHours(1), PurgeInterval = TimeSpan.FromHours(1) });

    private static async Task<VaultProperties> VaultAsync(KeyhubTestServer server) =>
        await server.Server.Runtime.Vaults.GetAsync("hub", CancellationToken.None) ?? throw new InvalidOperationException("No hub vault.");

    /// <summary>A rotation policy with the given lifetime actions and <c>expiryTime</c> P90D.</summary>
    private static JsonObject Policy(params (string Trigger, string Duration, string Action)[] actions) => new()
    {
        ["lifetimeActions"] = new JsonArray(actions.Select(a => (JsonNode)new JsonObject
        {
            ["trigger"] = new JsonObject { [a.Trigger] = a.Duration },
            ["action"] = new JsonObject { ["type"] = a.Action },
        }).ToArray()),
        ["attributes"] = new JsonObject { ["expiryTime"] = "P90D" },
    };

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string failure)
        where T : class
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } result)
            {
                return result;
            }
            Assert.True(watch.Elapsed < Patience, failure);
            await Task.Delay(25);
        }
    }
}
