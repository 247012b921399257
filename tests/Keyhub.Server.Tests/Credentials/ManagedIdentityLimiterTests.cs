using System.Net;
using Keyhub.Core.Authorization;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Credentials;

/// <summary>
/// Failed managed-identity requests are rate-limited, but one workload's failures must not lock out every
/// other workload. A dedicated server: the test deliberately trips the limiter.
/// </summary>
public sealed class ManagedIdentityLimiterTests : IAsyncLifetime
{
    private KeyhubTestServer? _server;

    private KeyhubTestServer Server => _server!;

    public async Task InitializeAsync() => _server = await KeyhubTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Repeated_wrong_identity_headers_are_limited_with_429()
    {
        var (clientId, _, _) = await Server.AddPrincipalAsync("mi-limited", BuiltInRoles.SecretsUser);
        var header = await CredentialKit.AddWorkloadCredentialAsync(Server, clientId);
        for (var i = 0; i < 10; i++)
        {
            var (status, body) = await CredentialKit.ManagedIdentityTokenAsync(Server, $"kh1.{clientId}.wrong{i}");
            CredentialKit.AssertInvalidClient(status, body);
        }
        var (limited, limitedBody) = await CredentialKit.ManagedIdentityTokenAsync(Server, header);
        CredentialKit.AssertInvalidClient(limited, limitedBody, HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Wrong_identity_headers_for_one_workload_do_not_lock_out_another()
    {
        var (victim, _, _) = await Server.AddPrincipalAsync("mi-victim", BuiltInRoles.SecretsUser);
        var victimHeader = await CredentialKit.AddWorkloadCredentialAsync(Server, victim);
        var (attacker, _, _) = await Server.AddPrincipalAsync("mi-noisy", BuiltInRoles.SecretsUser);
        for (var i = 0; i < 10; i++)
        {
            await CredentialKit.ManagedIdentityTokenAsync(Server, $"kh1.{attacker}.wrong{i}");
        }
        var (status, body) = await CredentialKit.ManagedIdentityTokenAsync(Server, victimHeader);
        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {body.ToJsonString()}");
    }
}
