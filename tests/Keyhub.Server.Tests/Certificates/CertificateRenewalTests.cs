using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure.Security.KeyVault.Certificates;
using Keyhub.Core.Certificates;
using Keyhub.Core.Vaults;
using Keyhub.Server.Tests.Access;
using Keyhub.Server.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Keyhub.Server.Tests.Certificates.CertificateKit;
using CertificatePolicy = Azure.Security.KeyVault.Certificates.CertificatePolicy;

namespace Keyhub.Server.Tests.Certificates;

/// <summary>
/// Lifetime actions, applied by the background service on the server's TimeProvider: with the clock moved
/// past a trigger, AutoRenew issues a new version (a new key unless <c>reuse_key</c>) without any request to
/// the certificate, older versions still download, EmailContacts is recorded once per version, and a renewal
/// the issuer refuses shows on that certificate without holding up the others. Tokens are issued and checked
/// on the fake clock, so after each jump a new client (new token) is made.
/// </summary>
public sealed class CertificateRenewalTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Moving_the_clock_past_each_trigger_renews_or_notifies_without_a_request_and_old_versions_still_download()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var start = time.GetUtcNow();
        await using var server = await KeyhubTestServer.StartAsync(time, o => o with { RotationInterval = TimeSpan.FromDays(1), PurgeInterval = TimeSpan.FromDays(1) });
        var engine = server.Server.Runtime.Certificates;
        await AllowAsync(server, "renew.keyhub.test");

        var client = Client(server);
        var percent = UniqueName("renew-percent");
        var renewing = Self(12);
        renewing.LifetimeActions.Add(new LifetimeAction(CertificatePolicyAction.AutoRenew) { LifetimePercentage = 80 });
        var percentV1 = await client.CreateAsync(percent, renewing, new Dictionary<string, string> { ["team"] = "payments" });

        var reused = UniqueName("renew-reuse");
        var reusing = Self(12);
        reusing.ReuseKey = true;
        reusing.LifetimeActions.Add(new LifetimeAction(CertificatePolicyAction.AutoRenew) { DaysBeforeExpiry = 30 });
        var reusedV1 = await client.CreateAsync(reused, reusing);

        var mailed = UniqueName("renew-email");
        var emailing = Self(12);
        emailing.LifetimeActions.Add(new LifetimeAction(CertificatePolicyAction.EmailContacts) { LifetimePercentage = 50 });
        var mailedV1 = await client.CreateAsync(mailed, emailing);

        // Sorts before the others: its refused renewal must not stop theirs.
        var refused = "a-" + UniqueName("renew-refused");
        var workload = new CertificatePolicy("Keyhub", "CN=api.renew.keyhub.test", new SubjectAlternativeNames { DnsNames = { "api.renew.keyhub.test" } }) { ValidityInMonths = 12 };
        workload.LifetimeActions.Add(new LifetimeAction(CertificatePolicyAction.AutoRenew) { LifetimePercentage = 80 });
        var refusedV1 = await client.CreateAsync(refused, workload);
        var waiting = UniqueName("renew-waiting");
        await client.StartCreateCertificateAsync(waiting, new CertificatePolicy(WellKnownIssuerNames.Unknown, "CN=waiting.payments.internal"));

        // 200 days: half of the EmailContacts certificate's life, nothing due for renewal.
        time.Advance(TimeSpan.FromDays(200));
        var vault = await HubAsync(server);
        var events = await WaitForAsync(async () =>
        {
            var recorded = await engine.ListEventsAsync(vault, mailed, CancellationToken.None);
            return recorded.Count > 0 ? recorded : null;
        }, "No EmailContacts event within the patience of the tick.");
        var notice = Assert.Single(events);
        Assert.Equal(CertificatePolicyRules.EmailContacts, notice.Action);
        Assert.Equal(mailedV1.Properties.Version, notice.Version);
        Assert.Equal(mailed, notice.Name);
        foreach (var name in new[] { percent, reused, refused })
        {
            Assert.Single(await VersionsAsync(server, name));
        }

        // 300 days (past 80 % of a year): the percentage certificate renews; the workload certificate's name has
        // meanwhile left the vault's allow-list, so its renewal is refused and recorded on its operation.
        await AllowAsync(server, "elsewhere.keyhub.test");
        time.Advance(TimeSpan.FromDays(100));
        var renewedAt = time.GetUtcNow();
        var percentVersions = await WaitForAsync(async () => await VersionsAsync(server, percent) is { Count: 2 } versions ? versions : null,
            "The AutoRenew certificate was not renewed within the patience of the tick.");
        var percentV2 = Assert.Single(percentVersions, v => v.Version != percentV1.Properties.Version);

        client = Client(server);
        var latest = (await client.GetCertificateAsync(percent)).Value;
        Assert.Equal(percentV2.Version, latest.Properties.Version);
        Assert.Equal("payments", latest.Properties.Tags["team"]);
        Assert.NotEqual(PublicKeyOf(percentV1.Cer), PublicKeyOf(latest.Cer));
        using (var renewedCertificate = Load(latest.Cer))
        {
            var notBefore = new DateTimeOffset(renewedCertificate.NotBefore.ToUniversalTime());
            Assert.InRange(notBefore, renewedAt.AddHours(-1).AddMinutes(-11), renewedAt.AddMinutes(1));
            var expected = notBefore.AddMinutes(10).AddMonths(12);
            Assert.InRange(new DateTimeOffset(renewedCertificate.NotAfter.ToUniversalTime()), expected.AddSeconds(-2), expected.AddSeconds(2));
            Assert.Equal(new DateTimeOffset(renewedCertificate.NotAfter.ToUniversalTime()), latest.Properties.ExpiresOn);
        }
        using (var old = (await client.DownloadCertificateAsync(percent, percentV1.Properties.Version)).Value)
        {
            Assert.True(old.HasPrivateKey);
            Assert.Equal(percentV1.Cer, old.RawData);
        }
        using (var current = (await client.DownloadCertificateAsync(percent)).Value)
        {
            Assert.True(current.HasPrivateKey);
            Assert.Equal(latest.Cer, current.RawData);
        }
        var failed = await client.GetCertificateOperationAsync(refused);
        Assert.Equal("failed", failed.Properties.Status);
        Assert.Contains("renew.keyhub.test", failed.Properties.Error.Message, StringComparison.Ordinal);
        Assert.Equal(refusedV1.Properties.Version, (await client.GetCertificateAsync(refused)).Value.Properties.Version);
        // A refused renewal is retried once an hour, not on every tick (each try makes a key).
        await engine.ApplyLifetimeActionsAsync([vault], CancellationToken.None);
        Assert.Equal(failed.Properties.RequestId, (await client.GetCertificateOperationAsync(refused)).Properties.RequestId);
        Assert.Single(await VersionsAsync(server, mailed));
        Assert.Single(await engine.ListEventsAsync(vault, mailed, CancellationToken.None));
        Assert.Single(await VersionsAsync(server, reused));

        // 340 days (30 days before the year ends): the reuse_key certificate renews with the same key.
        time.Advance(TimeSpan.FromDays(40));
        var reusedVersions = await WaitForAsync(async () => await VersionsAsync(server, reused) is { Count: 2 } versions ? versions : null,
            "The days_before_expiry certificate was not renewed within the patience of the tick.");
        client = Client(server);
        var reusedV2 = (await client.GetCertificateVersionAsync(reused, Assert.Single(reusedVersions, v => v.Version != reusedV1.Properties.Version).Version)).Value;
        Assert.NotEqual(reusedV1.Cer, reusedV2.Cer);
        Assert.Equal(PublicKeyOf(reusedV1.Cer), PublicKeyOf(reusedV2.Cer));
        Assert.True(reusedV2.Properties.ExpiresOn > reusedV1.Properties.ExpiresOn!.Value.AddDays(300));
        using (var old = (await client.DownloadCertificateAsync(reused, reusedV1.Properties.Version)).Value)
        {
            Assert.Equal(reusedV1.Cer, old.RawData);
        }
        // Renewed once each, however many ticks passed; the pending certificate was left alone.
        await server.Server.Runtime.Certificates.ApplyLifetimeActionsAsync([vault], CancellationToken.None);
        Assert.Equal(2, (await VersionsAsync(server, percent)).Count);
        Assert.Equal(2, (await VersionsAsync(server, reused)).Count);
        Assert.Single(await engine.ListEventsAsync(vault, mailed, CancellationToken.None));
        Assert.Equal("inProgress", (await client.GetCertificateOperationAsync(waiting)).Properties.Status);
        Assert.Equal(start.AddDays(340), time.GetUtcNow());
    }

    private static CertificatePolicy Self(int months) => new(WellKnownIssuerNames.Self, "CN=renew.payments.internal")
    {
        ValidityInMonths = months,
        ContentType = CertificateContentType.Pkcs12,
    };

    private static async Task<VaultProperties> HubAsync(KeyhubTestServer server) =>
        await server.Server.Runtime.Vaults.GetAsync("hub", CancellationToken.None) ?? throw new InvalidOperationException("No hub vault.");

    /// <summary>Versions as the engine sees them: no request reaches the certificate while waiting.</summary>
    private static async Task<IReadOnlyList<CertificateVersion>> VersionsAsync(KeyhubTestServer server, string name) =>
        (await server.Server.Runtime.Certificates.ListVersionsAsync(await HubAsync(server), name, null, 25, CancellationToken.None)).Items;

    private static async Task AllowAsync(KeyhubTestServer server, string suffix)
    {
        using var management = await ManagementClient.ConnectAsync(server, server.Credentials.ClientId, server.Credentials.ClientSecret);
        (await management.PatchAsync("/vaults/hub", new JsonObject { ["certDnsSuffixes"] = new JsonArray(suffix) })).Ok();
    }

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
