using System.Security.Cryptography.X509Certificates;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Keyhub.Core.Authorization;
using Keyhub.Server.Dev;
using Keyhub.Server.Hosting;

namespace Keyhub.Server.Tests.Infrastructure;

/// <summary>
/// A real Keyhub in this process: real Kestrel on its own loopback port over real TLS, dev mode in a
/// temporary data folder, optionally on a fake clock. Tests talk to it only through the official SDKs
/// or raw HTTPS; principals are added through the same library calls the offline CLI makes.
/// </summary>
public sealed class KeyhubTestServer : IAsyncDisposable
{
    private readonly bool _keepDataDirectory;

    private KeyhubTestServer(KeyhubServer server, string dataDirectory, int port, CapturedLogs logs, TimeProvider time, bool keepDataDirectory)
    {
        _keepDataDirectory = keepDataDirectory;
        Server = server;
        DataDirectory = dataDirectory;
        Port = port;
        Logs = logs;
        Time = time;
        Credentials = server.DevCredentials!;
        CaCertificate = X509Certificate2.CreateFromPem(File.ReadAllText(Credentials.CaCertificate));
    }

    public KeyhubServer Server { get; }
    public string DataDirectory { get; }
    public int Port { get; }
    public CapturedLogs Logs { get; }
    public TimeProvider Time { get; }
    public DevCredentials Credentials { get; }
    public X509Certificate2 CaCertificate { get; }
    public Uri VaultUri => new($"https://localhost:{Port}");
    public Uri AuthorityHost => new(Credentials.AuthorityHost);

    public static async Task<KeyhubTestServer> StartAsync(
        TimeProvider? time = null,
        Func<KeyhubServerOptions, KeyhubServerOptions>? configure = null,
        string? dataDirectory = null,
        bool keepDataDirectory = false)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("keyhub-test-").FullName;
        var port = FreePort.Next();
        var options = new KeyhubServerOptions { Dev = true, DataDirectory = dataDirectory, Port = port, PurgeInterval = TimeSpan.FromHours(1) };
        options = configure?.Invoke(options) ?? options;
        var logs = new CapturedLogs();
        time ??= TimeProvider.System;
        var server = await KeyhubServer.StartAsync(options, TextWriter.Null, time, logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        return new KeyhubTestServer(server, dataDirectory, options.Port, logs, time, keepDataDirectory);
    }

    public ClientSecretCredential Credential(string? clientId = null, string? clientSecret = null) => new(
        Credentials.TenantId,
        clientId ?? Credentials.ClientId,
        clientSecret ?? Credentials.ClientSecret,
        new ClientSecretCredentialOptions
        {
            AuthorityHost = AuthorityHost,
            DisableInstanceDiscovery = true,
            Transport = TestTransport.Azure(CaCertificate),
        });

    public SecretClient SecretClient(
        string? clientId = null,
        string? clientSecret = null,
        SecretClientOptions.ServiceVersion version = SecretClientOptions.ServiceVersion.V2026_04_01) =>
        new(VaultUri, Credential(clientId, clientSecret), SecretOptions(version));

    public SecretClientOptions SecretOptions(SecretClientOptions.ServiceVersion version = SecretClientOptions.ServiceVersion.V2026_04_01, bool mapHosts = false)
    {
        var options = new SecretClientOptions(version)
        {
            DisableChallengeResourceVerification = !mapHosts,
            Transport = TestTransport.Azure(CaCertificate, mapHosts),
        };
        options.Retry.MaxRetries = 0;
        return options;
    }

    /// <summary>An HttpClient for raw requests (no token unless the test adds one).</summary>
    public HttpClient HttpClient(bool mapHosts = false) => new(TestTransport.Handler(CaCertificate, mapHosts)) { BaseAddress = VaultUri };

    /// <summary>Adds a principal as <c>keyhub principal add</c> does; the role (if any) is assigned on <paramref name="scope"/>.</summary>
    public async Task<(string ClientId, string ClientSecret, string ObjectId)> AddPrincipalAsync(string name, RoleDefinition? role = null, string scope = "/vaults/hub")
    {
        var (principal, secret) = await Server.Runtime.Principals.AddAsync(name, CancellationToken.None);
        if (role is not null)
        {
            await Server.Runtime.RoleAssignments.AddAsync(principal.ObjectId, role.Id, scope, CancellationToken.None);
        }
        return (principal.ClientId, secret, principal.ObjectId);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        CaCertificate.Dispose();
        if (_keepDataDirectory)
        {
            return;
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One server shared by the tests of a collection (dev mode, system clock).</summary>
public sealed class SharedServer : IAsyncLifetime
{
    private KeyhubTestServer? _server;

    public KeyhubTestServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _server = await KeyhubTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SharedServerCollection : ICollectionFixture<SharedServer>
{
    public const string Name = "shared keyhub";
}
