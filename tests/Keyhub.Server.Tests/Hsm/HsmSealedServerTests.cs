using System.Globalization;
using Keyhub.Pkcs11;
using Keyhub.Pkcs11.Tests;
using Keyhub.Server.Tests.Dev;
using Keyhub.Server.Tests.Infrastructure;
using static Keyhub.Server.Tests.Commands.CommandLine;

namespace Keyhub.Server.Tests.Hsm;

/// <summary>
/// A deployment sealed by a PKCS#11 HSM (SoftHSM2), with the real <c>keyhub</c> executable: every start unseals
/// itself; with the wrapping key gone it stays sealed and says why; recovery shares then unseal it with the data
/// intact, and authorise a rekey that wraps a new root key with a new HSM key.
/// </summary>
[Collection(HsmCollection.Name)]
public sealed class HsmSealedServerTests(HsmTokens tokens)
{
    [SoftHsmFact]
    public async Task Init_with_an_hsm_then_restarts_unseal_alone_and_when_the_hsm_key_is_gone_recovery_shares_unseal_and_rekey_it()
    {
        var hsm = tokens.Seal;
        var folder = Directory.CreateTempSubdirectory("keyhub-hsm-").FullName;
        var data = Path.Combine(folder, "data");
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var premiumPort = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var owner = Path.Combine(folder, "secops.json");
        var app = Path.Combine(folder, "app.json");
        using var pin = KeyhubProcess.WithEnvironment(new Dictionary<string, string> { ["KEYHUB_HSM_PIN"] = hsm.Pin, ["SOFTHSM2_CONF"] = hsm.ConfPath });
        try
        {
            var init = await Ok(
                "operator", "init", "--data", data, "--port", port, "--profile-out", owner,
                "--hsm-library", hsm.LibraryPath, "--hsm-token", hsm.TokenLabel, "--recovery-shares", "5", "--recovery-threshold", "3");
            var recovery = Shares(init.Output);
            Assert.Equal(5, recovery.Count);
            Assert.False(File.Exists(Path.Combine(data, "seal.key")));
            Assert.DoesNotContain(hsm.Pin, init.Output, StringComparison.Ordinal);
            var database = System.Text.Encoding.ASCII.GetString(await File.ReadAllBytesAsync(Path.Combine(data, "keyhub.db")));
            Assert.All(recovery, s => Assert.DoesNotContain(s, database, StringComparison.Ordinal));
            Assert.DoesNotContain(hsm.Pin, database, StringComparison.Ordinal);
            var keyId = Convert.FromHexString(init.Output.Split("(id ")[1].Split(')')[0]);

            using (var token = Pkcs11Token.Open(new Pkcs11Options(hsm.LibraryPath, hsm.TokenLabel, hsm.Pin)))
            {
                var wrapping = Assert.Single(token.Inspect(keyId).Objects);
                Assert.Equal((false, true), (wrapping.Extractable, wrapping.Sensitive));
            }

            await using (var first = await KeyhubProcess.StartServerAsync(["server", "--data", data, "--port", port]))
            {
                Assert.Contains("unsealed by the HSM", first.Output, StringComparison.Ordinal);
                await Ok("principal", "create", "--name", "app", "--profile-out", app, "--profile", owner);
                var principals = (await Json(owner, "principal", "list"))["value"]!.AsArray();
                var appId = principals.First(p => p!["displayName"]!.GetValue<string>() == "app")!["objectId"]!.GetValue<string>();
                await Ok("role", "assign", "--principal", appId, "--role", "Key Vault Secrets Officer", "--scope", "/vaults/hub", "--profile", owner);
                await Ok("secret", "set", "db-password", "correct horse", "--profile", app);

                // A deployment with an HSM offers premium vaults, whose -HSM keys live in the token.
                var premium = await Json(owner, "vault", "create", "premium", "--sku", "premium", "--port", premiumPort);
                Assert.Equal("premium", premium["sku"]!.GetValue<string>());
                await Ok("role", "assign", "--principal", appId, "--role", "Key Vault Crypto Officer", "--scope", "/vaults/premium", "--profile", owner);
                var key = await Json(app, "key", "create", "signer", "--kty", "RSA-HSM", "--vault", $"https://localhost:{premiumPort}");
                Assert.Equal("RSA-HSM", key["key"]!["kty"]!.GetValue<string>());
            }

            // Offline commands open the stopped deployment through the HSM too.
            var offline = await Ok("principal", "add", "--data", data, "--name", "offline-app", "--role", "Key Vault Secrets User", "--scope", "/vaults/hub");
            Assert.Contains("clientSecret", offline.Output, StringComparison.Ordinal);

            // A restart needs no operator.
            await using (var second = await KeyhubProcess.StartServerAsync(["server", "--data", data, "--port", port]))
            {
                Assert.Equal("correct horse", (await Json(app, "secret", "get", "db-password"))["value"]!.GetValue<string>());
                Assert.Contains((await Json(owner, "principal", "list"))["value"]!.AsArray(), p => p!["displayName"]!.GetValue<string>() == "offline-app");
                var keys = await Json(app, "key", "list", "--vault", $"https://localhost:{premiumPort}");
                Assert.Single(keys["value"]!.AsArray());

                // The Owner seals it while running: it waits for recovery shares (a restart would unseal it with the HSM).
                await Refused("403", "operator", "seal", "--profile", app);
                await Ok("operator", "seal", "--profile", owner);
                await Eventually(
                    async () => (await KeyhubProcess.RunAsync("operator", "seal-status", "--output", "json", "--profile", owner)).Output.Contains("sealed by the Owner", StringComparison.Ordinal),
                    () => second.Output + "\n" + second.Errors);
                await Refused("503", "secret", "get", "db-password", "--profile", app);
                await Ok("operator", "unseal", "--share", recovery[1], "--profile", owner);
                await Ok("operator", "unseal", "--share", recovery[3], "--profile", owner);
                await Ok("operator", "unseal", "--share", recovery[2], "--profile", owner);
                await Eventually(
                    async () => (await KeyhubProcess.RunAsync("secret", "get", "db-password", "--profile", app)).ExitCode == 0,
                    () => second.Output + "\n" + second.Errors);
            }

            // The HSM loses the wrapping key: Keyhub stays sealed and says why.
            using (var token = Pkcs11Token.Open(new Pkcs11Options(hsm.LibraryPath, hsm.TokenLabel, hsm.Pin)))
            {
                token.Destroy(keyId);
            }
            await using (var third = await KeyhubProcess.StartSealedServerAsync(["server", "--data", data, "--port", port]))
            {
                Assert.Contains("could not unseal with the HSM", third.Output, StringComparison.Ordinal);
                Assert.Contains("is not on HSM token", third.Output, StringComparison.Ordinal);
                var status = await Json(owner, "operator", "seal-status");
                Assert.True(status["sealed"]!.GetValue<bool>());
                Assert.Equal("recovery", status["type"]!.GetValue<string>());
                Assert.Contains("keyhub-root-wrap", status["reason"]!.GetValue<string>(), StringComparison.Ordinal);
                await Refused("503", "secret", "get", "db-password", "--profile", app);

                await Ok("operator", "unseal", "--share", recovery[4], "--profile", owner);
                await Refused("400", "operator", "unseal", "--share", recovery[4], "--profile", owner);
                await Ok("operator", "unseal", "--share", recovery[0], "--profile", owner);
                await Ok("operator", "unseal", "--share", recovery[2], "--profile", owner);
                await third.WaitForReadyAsync();
                Assert.Equal("correct horse", (await Json(app, "secret", "get", "db-password"))["value"]!.GetValue<string>());
            }

            // Rekey (offline) with recovery shares: a new root key wrapped by a new HSM key on another token, new recovery shares.
            var tooFew = await KeyhubProcess.RunAsync("operator", "rekey", "--data", data, "--share", recovery[1], "--share", recovery[3]);
            Assert.NotEqual(0, tooFew.ExitCode);
            var rekey = await Ok("operator", "rekey", "--data", data, "--share", recovery[1], "--share", recovery[3], "--share", recovery[0], "--hsm-token", tokens.Rekey.TokenLabel);
            var newRecovery = Shares(rekey.Output);
            Assert.Equal(5, newRecovery.Count);
            Assert.Contains($"on token '{tokens.Rekey.TokenLabel}'", rekey.Output, StringComparison.Ordinal);
            var stale = await KeyhubProcess.RunAsync("operator", "rekey", "--data", data, "--share", recovery[1], "--share", recovery[3], "--share", recovery[0]);
            Assert.NotEqual(0, stale.ExitCode);
            await using (var fourth = await KeyhubProcess.StartServerAsync(["server", "--data", data, "--port", port]))
            {
                Assert.Contains($"unsealed by the HSM (token '{tokens.Rekey.TokenLabel}')", fourth.Output, StringComparison.Ordinal);
                Assert.Equal("correct horse", (await Json(app, "secret", "get", "db-password"))["value"]!.GetValue<string>());
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [SoftHsmFact]
    public async Task A_wrong_hsm_pin_keeps_the_deployment_sealed_with_the_reason_and_never_shows_the_pin()
    {
        var hsm = tokens.Seal;
        var folder = Directory.CreateTempSubdirectory("keyhub-hsm-").FullName;
        var data = Path.Combine(folder, "data");
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var owner = Path.Combine(folder, "secops.json");
        try
        {
            using (KeyhubProcess.WithEnvironment(new Dictionary<string, string> { ["KEYHUB_HSM_PIN"] = hsm.Pin, ["SOFTHSM2_CONF"] = hsm.ConfPath }))
            {
                await Ok("operator", "init", "--data", data, "--port", port, "--profile-out", owner,
                    "--hsm-library", hsm.LibraryPath, "--hsm-token", hsm.TokenLabel, "--recovery-shares", "3", "--recovery-threshold", "2");
            }
            const string wrongPin = "not-the-pin-4711";
            using (KeyhubProcess.WithEnvironment(new Dictionary<string, string> { ["KEYHUB_HSM_PIN"] = wrongPin, ["SOFTHSM2_CONF"] = hsm.ConfPath }))
            {
                await using var server = await KeyhubProcess.StartSealedServerAsync(["server", "--data", data, "--port", port]);
                var status = await Json(owner, "operator", "seal-status");

                Assert.Contains("PIN", status["reason"]!.GetValue<string>(), StringComparison.Ordinal);
                Assert.DoesNotContain(wrongPin, server.Output + server.Errors + status.ToJsonString(), StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task Eventually(Func<Task<bool>> condition, Func<string>? explain = null)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(200);
        }
        Assert.Fail("The server did not get there within 10 s." + (explain is null ? "" : "\n" + explain()));
    }

    private static List<string> Shares(string output) =>
        [.. output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("share ", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())];
}
