using System.Net;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Dev;

/// <summary>
/// The real <c>keyhub server --dev</c> process (design.md §7): what it writes for clients, that it
/// keeps every acknowledged write across <c>kill -9</c>, and that it owns its data folder while it runs.
/// </summary>
public sealed class DevServerProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("keyhub-dev-process-").FullName;

    // A folder that does not exist yet, so the server creates it (and may set its mode).
    private string Data => Path.Combine(_root, "data");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Dev_server_keeps_acknowledged_secrets_across_kill_9_and_owns_its_folder_while_running()
    {
        var firstPort = FreePort.Next();
        var value = "durable-" + Guid.NewGuid().ToString("N");
        DevFiles first;
        await using (var server = await KeyhubProcess.StartServerAsync(Data, firstPort))
        {
            Assert.Contains(server.Output.Split('\n'), line => line == "Keyhub ready");
            first = DevFiles.Read(Data, firstPort);
            Assert.Equal(server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(Data, "keyhub.pid")).Trim());
            await AssertHealthEndpointsAnswerWithoutAuthenticationAsync(first);
            await first.SecretClient().SetSecretAsync("durable", value);

            // The folder is locked while the server runs: neither a second server nor the offline tool may open it.
            var pidBefore = File.ReadAllText(Path.Combine(Data, "keyhub.pid"));
            var credentialsBefore = File.ReadAllText(DevFiles.CredentialsPath(Data));
            var second = await KeyhubProcess.RunAsync("server", "--dev", "--data", Data, "--port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.NotEqual(0, second.ExitCode);
            Assert.Contains("in use", second.Errors, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Keyhub ready", second.Output, StringComparison.Ordinal);
            var tool = await KeyhubProcess.RunAsync("principal", "add", "--data", Data, "--name", "while-running");
            Assert.NotEqual(0, tool.ExitCode);
            Assert.Contains("in use", tool.Errors, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(pidBefore, File.ReadAllText(Path.Combine(Data, "keyhub.pid")));
            Assert.Equal(credentialsBefore, File.ReadAllText(DevFiles.CredentialsPath(Data)));
            await first.SecretClient().GetSecretAsync("durable");

            // kill -9 the process named in keyhub.pid: no shutdown code runs.
            var pid = int.Parse(pidBefore.Trim(), System.Globalization.CultureInfo.InvariantCulture);
            using (var victim = System.Diagnostics.Process.GetProcessById(pid))
            {
                victim.Kill();
            }
            Assert.NotEqual(0, await server.WaitForExitAsync());
        }

        // A new port: the SDK caches challenges per host:port for the whole process.
        var secondPort = FreePort.Next();
        await using (var restarted = await KeyhubProcess.StartServerAsync(Data, secondPort))
        {
            var again = DevFiles.Read(Data, secondPort);
            Assert.Equal(first.TenantId, again.TenantId);
            Assert.Equal(first.ClientId, again.ClientId);
            Assert.Equal(first.ClientSecret, again.ClientSecret);
            Assert.Equal(restarted.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(Data, "keyhub.pid")).Trim());

            var secret = await again.SecretClient().GetSecretAsync("durable");
            Assert.Equal(value, secret.Value.Value);
            Assert.Equal(new Uri($"https://localhost:{secondPort}"), secret.Value.Properties.VaultUri);
        }
    }

    [Fact]
    public async Task Dev_env_prints_only_export_lines_for_the_written_credentials()
    {
        var port = FreePort.Next();
        await using (await KeyhubTestServer.StartAsync(configure: o => o with { Port = port }, dataDirectory: Data, keepDataDirectory: true))
        {
        }
        var files = DevFiles.Read(Data, port);

        var result = await KeyhubProcess.RunAsync("dev", "env", "--data", Data);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Errors);
        var exports = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var match = System.Text.RegularExpressions.Regex.Match(line, "^export ([A-Z_]+)='([^']*)'$");
            Assert.True(match.Success, $"Not an export line: {line}");
            exports.Add(match.Groups[1].Value, match.Groups[2].Value);
        }
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["AZURE_TENANT_ID"] = files.TenantId,
                ["AZURE_CLIENT_ID"] = files.ClientId,
                ["AZURE_CLIENT_SECRET"] = files.ClientSecret,
                ["AZURE_AUTHORITY_HOST"] = $"https://localhost:{port}",
                ["KEYHUB_VAULT_URL"] = $"https://localhost:{port}",
                ["NODE_EXTRA_CA_CERTS"] = files.CaCertificatePath,
                ["SSL_CERT_FILE"] = files.CaCertificatePath,
            },
            exports);
    }

    private static async Task AssertHealthEndpointsAnswerWithoutAuthenticationAsync(DevFiles files)
    {
        using var http = new HttpClient(TestTransport.Handler(files.CaCertificate)) { BaseAddress = files.VaultUri };
        foreach (var path in new[] { "/healthz", "/readyz" })
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("WWW-Authenticate"));
        }
    }
}
