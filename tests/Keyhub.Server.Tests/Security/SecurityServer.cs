using System.Net.Http.Headers;
using Keyhub.Core.Identity;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Security;

/// <summary>
/// The security tests' Keyhub, plus a second deployment with the same tenant id and the same issuer
/// origin, so that a token from it differs from a genuine one only in who signed it.
/// </summary>
public sealed class SecurityServer : IAsyncLifetime
{
    private KeyhubTestServer? _server;
    private KeyhubTestServer? _other;
    private string? _adminToken;

    public KeyhubTestServer Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <summary>Another Keyhub deployment (own data folder, own signing key) claiming the same tenant and issuer.</summary>
    public KeyhubTestServer OtherDeployment => _other ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _server = await KeyhubTestServer.StartAsync();
        _other = await KeyhubTestServer.StartAsync(configure: o => o with
        {
            TenantId = _server.Credentials.TenantId,
            AuthorityOrigin = _server.Credentials.AuthorityHost,
        });
    }

    public async Task DisposeAsync()
    {
        if (_other is not null)
        {
            await _other.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public async Task<string> AdminTokenAsync() =>
        _adminToken ??= await TokenRequests.AccessTokenAsync(Server, Server.Credentials.ClientId, Server.Credentials.ClientSecret);

    /// <summary>A raw client that sends the dev administrator's bearer token.</summary>
    public async Task<HttpClient> AdminHttpClientAsync()
    {
        var http = Server.HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await AdminTokenAsync());
        return http;
    }

    public async Task<ServicePrincipal> AdminPrincipalAsync() =>
        await Server.Server.Runtime.Principals.GetByClientIdAsync(Server.Credentials.ClientId, CancellationToken.None)
        ?? throw new InvalidOperationException("The dev administrator is missing.");
}

[CollectionDefinition(Name)]
public sealed class SecurityServerCollection : ICollectionFixture<SecurityServer>
{
    public const string Name = "security keyhub";
}
