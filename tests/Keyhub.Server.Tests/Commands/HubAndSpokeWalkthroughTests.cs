using System.Globalization;
using System.Text.Json.Nodes;
using Keyhub.Server.Tests.Dev;
using Keyhub.Server.Tests.Infrastructure;
using static Keyhub.Server.Tests.Commands.CommandLine;

namespace Keyhub.Server.Tests.Commands;

/// <summary>
/// The README's hub-and-spoke walk-through, run with the real <c>keyhub</c> executable: operator init,
/// a production-mode server, delegation of a spoke to a team, and an application that may only use its key.
/// </summary>
public sealed class HubAndSpokeWalkthroughTests
{
    [Fact]
    public async Task Operator_init_to_an_application_unwrapping_a_key_in_its_spoke_with_the_command_line()
    {
        var folder = Directory.CreateTempSubdirectory("keyhub-walkthrough-").FullName;
        var data = Path.Combine(folder, "data");
        var hubPort = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var spokePort = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var owner = Path.Combine(folder, "secops.json");
        var admin = Path.Combine(folder, "payments-admin.json");
        var app = Path.Combine(folder, "payments-app.json");
        try
        {
            await Ok("operator", "init", "--data", data, "--port", hubPort, "--profile-out", owner);
            await using var server = await KeyhubProcess.StartServerAsync(["server", "--data", data, "--port", hubPort]);

            var team = (await Json(owner, "group", "create", "--name", "payments-team"))["objectId"]!.GetValue<string>();
            await Ok("principal", "create", "--name", "payments-admin", "--profile-out", admin, "--profile", owner);
            await Ok("principal", "create", "--name", "payments-app", "--profile-out", app, "--profile", owner);
            var principals = (await Json(owner, "principal", "list"))["value"]!.AsArray();
            string ObjectIdOf(string name) => principals.First(p => p!["displayName"]!.GetValue<string>() == name)!["objectId"]!.GetValue<string>();
            await Ok("group", "add-member", team, ObjectIdOf("payments-admin"), "--profile", owner);
            await Ok("vault", "create", "spoke-payments", "--port", spokePort, "--owner-group", team, "--profile", owner);
            await Refused("403", "secret", "list", "--vault", "hub", "--profile", owner);

            var spoke = $"https://localhost:{spokePort}";
            await Ok("key", "create", "payments-kek", "--vault", spoke, "--size", "2048", "--profile", admin);
            await Ok("role", "assign", "--principal", ObjectIdOf("payments-app"), "--role", "Key Vault Crypto User", "--scope", "/vaults/spoke-payments", "--profile", admin);
            await Refused("403", "role", "assign", "--principal", ObjectIdOf("payments-app"), "--role", "Owner", "--scope", "/vaults/spoke-payments", "--profile", admin);
            await Refused("403", "secret", "list", "--vault", $"https://localhost:{hubPort}", "--profile", admin);

            const string DataKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
            var wrapped = (await Json(app, "key", "wrap", "payments-kek", "--vault", spoke, "--value", DataKey))["value"]!.GetValue<string>();
            Assert.NotEqual(DataKey, wrapped);
            var unwrapped = (await Json(app, "key", "unwrap", "payments-kek", "--vault", spoke, "--value", wrapped))["value"]!.GetValue<string>();
            Assert.Equal(DataKey, unwrapped);
            await Refused("403", "key", "create", "other", "--vault", spoke, "--profile", app);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
