using Azure.Security.KeyVault.Certificates;
using Keyhub.Core.Authorization;
using Keyhub.Server.Hosting;
using Keyhub.Server.Tests.Infrastructure;
using Keyhub.Server.Tests.Keys;

namespace Keyhub.Server.Tests.Certificates;

/// <summary>
/// The certificate tests' Keyhub (dev mode, system clock): the hub vault plus a second, port-bound vault
/// (<c>spare</c>) to restore backups into, an administrator's official <see cref="CertificateClient"/> and
/// raw client, least-privilege principals made once per role, and an outside CA that signs CSRs.
/// </summary>
public sealed class CertificatesServer : IAsyncLifetime
{
    public const string SpareVault = "spare";

    private readonly Dictionary<string, Task<(string ClientId, string ClientSecret)>> _principals = new(StringComparer.Ordinal);
    private KeyhubTestServer? _server;
    private RawKeysClient? _raw;
    private int _sparePort;

    public KeyhubTestServer Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <summary>The dev administrator (Key Vault Administrator on the hub) through the official SDK.</summary>
    public CertificateClient Admin { get; private set; } = null!;

    /// <summary>The dev administrator's raw client for the hub (keys, sign, error bodies as sent).</summary>
    internal RawKeysClient Raw => _raw ?? throw new InvalidOperationException("Not started.");

    public Uri SpareUri => new($"https://localhost:{_sparePort}");

    /// <summary>A CA outside Keyhub, as a company PKI would be: signs the CSRs of Unknown-issuer certificates.</summary>
    public TestCa OutsideCa { get; } = TestCa.Create("CN=Outside Test Root, O=Keyhub Tests");

    public async Task InitializeAsync()
    {
        _sparePort = FreePort.Next();
        _server = await KeyhubTestServer.StartAsync(configure: o => o with { Vaults = [new VaultBinding { Name = SpareVault, Port = _sparePort }] });
        Admin = CertificateKit.Client(_server);
        _raw = await RawKeysClient.ConnectAsync(_server);
    }

    public CertificateClient Client(string? clientId = null, string? clientSecret = null, Uri? vault = null) =>
        CertificateKit.Client(Server, clientId, clientSecret, vault);

    /// <summary>A principal holding only <paramref name="role"/> on <paramref name="scope"/>, made once per (role, scope).</summary>
    public Task<(string ClientId, string ClientSecret)> PrincipalAsync(RoleDefinition role, string scope = "/vaults/hub")
    {
        var label = role.Id + scope;
        if (!_principals.TryGetValue(label, out var principal))
        {
            principal = AddAsync(role, scope);
            _principals[label] = principal;
        }
        return principal;
    }

    private async Task<(string, string)> AddAsync(RoleDefinition role, string scope)
    {
        var (clientId, secret, _) = await Server.AddPrincipalAsync("cert-" + role.Name.Replace(' ', '-').ToLowerInvariant() + "-" + Guid.NewGuid().ToString("N")[..6], role, scope);
        return (clientId, secret);
    }

    public async Task DisposeAsync()
    {
        _raw?.Dispose();
        OutsideCa.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CertificatesServerCollection : ICollectionFixture<CertificatesServer>
{
    public const string Name = "certificates keyhub";
}
