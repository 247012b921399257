using System.Globalization;
using System.Text.Json.Nodes;
using Keyhub.Server.Tests.Dev;
using Keyhub.Server.Tests.Infrastructure;
using static Keyhub.Server.Tests.Commands.CommandLine;

namespace Keyhub.Server.Tests.Commands;

/// <summary>
/// A production deployment sealed with Shamir shares, with the real <c>keyhub</c> executable: init prints the
/// shares once; every start is sealed (503 for everything but health, seal status and unseal) until a
/// threshold of shares arrives; wrong and repeated shares are refused without losing progress; data written
/// before a restart reads back after it.
/// </summary>
public sealed class ShamirSealedServerTests
{
    [Fact]
    public async Task Init_with_shares_then_every_restart_is_sealed_until_three_of_five_shares_unseal_it_and_the_data_is_intact()
    {
        var folder = Directory.CreateTempSubdirectory("keyhub-shamir-").FullName;
        var data = Path.Combine(folder, "data");
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var owner = Path.Combine(folder, "secops.json");
        var app = Path.Combine(folder, "app.json");
        try
        {
            var init = await Ok("operator", "init", "--data", data, "--port", port, "--profile-out", owner, "--shares", "5", "--threshold", "3");
            var shares = init.Output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("share ", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()).ToList();
            Assert.Equal(5, shares.Count);
            Assert.False(File.Exists(Path.Combine(data, "seal.key")));
            var database = await File.ReadAllBytesAsync(Path.Combine(data, "keyhub.db"));
            Assert.All(shares, s => Assert.DoesNotContain(s, System.Text.Encoding.ASCII.GetString(database), StringComparison.Ordinal));

            await using (var first = await KeyhubProcess.StartSealedServerAsync(["server", "--data", data, "--port", port]))
            {
                await Refused("503", "principal", "list", "--profile", owner);
                await Unseal(owner, shares[0], expectSealed: true);
                await Unseal(owner, shares[1], expectSealed: true);
                await Unseal(owner, shares[2], expectSealed: false);
                await first.WaitForReadyAsync();

                await Ok("principal", "create", "--name", "app", "--profile-out", app, "--profile", owner);
                var principals = (await Json(owner, "principal", "list"))["value"]!.AsArray();
                var appId = principals.First(p => p!["displayName"]!.GetValue<string>() == "app")!["objectId"]!.GetValue<string>();
                await Ok("role", "assign", "--principal", appId, "--role", "Key Vault Secrets Officer", "--scope", "/vaults/hub", "--profile", owner);
                await Ok("secret", "set", "db-password", "correct horse", "--profile", app);
            }

            await using (var second = await KeyhubProcess.StartSealedServerAsync(["server", "--data", data, "--port", port]))
            {
                Assert.True(await HealthzSaysSealedAsync(owner, port));
                await Refused("503", "secret", "get", "db-password", "--profile", app);
                var status = await Json(owner, "operator", "seal-status");
                Assert.True(status["sealed"]!.GetValue<bool>());
                Assert.Equal(3, status["threshold"]!.GetValue<int>());

                await Unseal(owner, shares[4], expectSealed: true);
                await RefusedShare(owner, shares[4]);                                   // repeated
                await RefusedShare(owner, shares[1][..^4] + "AAAA");                      // altered
                await RefusedShare(owner, "bm90LWEtc2hhcmU");                             // not a share at all
                Assert.Equal(1, (await Json(owner, "operator", "seal-status"))["progress"]!.GetValue<int>());
                await Unseal(owner, shares[3], expectSealed: true);
                await Unseal(owner, shares[1], expectSealed: false);
                await second.WaitForReadyAsync();

                Assert.Equal("correct horse", (await Json(app, "secret", "get", "db-password"))["value"]!.GetValue<string>());
                Assert.False(await HealthzSaysSealedAsync(owner, port));

                // Sealing while running: only the Owner may, and everything but unseal stops answering.
                await Refused("403", "operator", "seal", "--profile", app);
                await Ok("operator", "seal", "--profile", owner);
                await Eventually(async () => (await KeyhubProcess.RunAsync("operator", "seal-status", "--output", "json", "--profile", owner)).ExitCode == 0);
                await Refused("503", "secret", "get", "db-password", "--profile", app);
                await Unseal(owner, shares[0], expectSealed: true);
                await Unseal(owner, shares[2], expectSealed: true);
                await Unseal(owner, shares[3], expectSealed: false);
                await Eventually(async () => (await KeyhubProcess.RunAsync("secret", "get", "db-password", "--profile", app)).ExitCode == 0);

                // Barrier rotation online: only the Owner; old records keep reading, new ones use the new term.
                await Refused("403", "operator", "rotate", "--profile", app);
                Assert.Equal(2, (await Json(owner, "operator", "rotate"))["term"]!.GetValue<int>());
                await Ok("secret", "set", "api-key", "after rotation", "--profile", app);
                Assert.Equal("correct horse", (await Json(app, "secret", "get", "db-password"))["value"]!.GetValue<string>());
                Assert.Equal("after rotation", (await Json(app, "secret", "get", "api-key"))["value"]!.GetValue<string>());

                // Re-encryption now, then the barrier's state; term 1 stopped encrypting a moment ago, so retiring it waits.
                Assert.True((await Json(owner, "operator", "reencrypt"))["reencrypted"]!.GetValue<int>() > 0);
                var barrier = await Json(owner, "operator", "barrier");
                Assert.Equal(0, barrier["terms"]!.AsArray().Single(t => t!["term"]!.GetValue<int>() == 1)!["records"]!.GetValue<int>());
                await Refused("409", "operator", "retire-term", "1", "--profile", owner);
                await Refused("403", "operator", "barrier", "--profile", app);
            }

            // Rekey, offline: three current shares open it; the new root key has new shares, and the old ones stop working.
            var rekey = await Ok("operator", "rekey", "--data", data, "--shares", "3", "--threshold", "2", "--share", shares[0], "--share", shares[3], "--share", shares[4]);
            var newShares = rekey.Output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("share ", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()).ToList();
            Assert.Equal(3, newShares.Count);
            var tooFew = await KeyhubProcess.RunAsync("operator", "rekey", "--data", data, "--shares", "3", "--threshold", "2", "--share", newShares[0]);
            Assert.NotEqual(0, tooFew.ExitCode);
            await using (var third = await KeyhubProcess.StartSealedServerAsync(["server", "--data", data, "--port", port]))
            {
                await RefusedShare(owner, shares[1]);
                await Unseal(owner, newShares[2], expectSealed: true);
                await Unseal(owner, newShares[0], expectSealed: false);
                await third.WaitForReadyAsync();
                Assert.Equal("correct horse", (await Json(app, "secret", "get", "db-password"))["value"]!.GetValue<string>());
                Assert.Equal("after rotation", (await Json(app, "secret", "get", "api-key"))["value"]!.GetValue<string>());
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>GET /healthz without a token, trusting the deployment's CA: 200 sealed or not; returns "sealed".</summary>
    private static async Task<bool> HealthzSaysSealedAsync(string profile, string port)
    {
        var caPath = JsonNode.Parse(await File.ReadAllTextAsync(profile))!["caCertificate"]!.GetValue<string>();
        using var ca = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(caPath);
        using var http = new HttpClient(TestTransport.Handler(ca));
        using var response = await http.GetAsync(new Uri($"https://localhost:{port}/healthz"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("ok", body["status"]!.GetValue<string>());
        return body["sealed"]!.GetValue<bool>();
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(200);
        }
        Assert.Fail("The server did not get there within 10 s.");
    }

    private static async Task Unseal(string profile, string share, bool expectSealed) =>
        Assert.Equal(expectSealed, (await Json(profile, "operator", "unseal", "--share", share))["sealed"]!.GetValue<bool>());

    private static async Task RefusedShare(string profile, string share) =>
        await Refused("400", "operator", "unseal", "--share", share, "--profile", profile);
}
