using Azure;
using Keyhub.Core.Identity;
using Keyhub.Server.Hosting;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Hosting;

/// <summary>Principals declared in configuration carry only a secret hash and get exactly their declared roles.</summary>
public sealed class DeclaredPrincipalTests
{
    private static DeclaredPrincipal Declared(string clientId, string secret, bool enabled = true) => new()
    {
        ClientId = clientId,
        DisplayName = "declared-reader",
        SecretHash = ClientSecretHasher.Hash(secret),
        Enabled = enabled,
        Roles = [new DeclaredRoleAssignment { Role = "Key Vault Secrets User", Scope = "/vaults/hub" }],
    };

    [Fact]
    public async Task Declared_principal_reads_with_its_role_and_is_refused_beyond_it_and_once_disabled()
    {
        var clientId = Guid.NewGuid().ToString();
        var secret = ClientSecretHasher.NewSecret();
        var folder = Directory.CreateTempSubdirectory("keyhub-declared-").FullName;
        try
        {
            await using (var server = await KeyhubTestServer.StartAsync(
                configure: o => o with { Principals = [Declared(clientId, secret)] },
                dataDirectory: folder,
                keepDataDirectory: true))
            {
                await server.SecretClient().SetSecretAsync("declared-visible", "v");
                var reader = server.SecretClient(clientId, secret);
                Assert.Equal("v", (await reader.GetSecretAsync("declared-visible")).Value.Value);
                var denied = await Assert.ThrowsAsync<RequestFailedException>(() => reader.SetSecretAsync("declared-write", "x"));
                Assert.Equal(403, denied.Status);
            }

            // Restarting with the same declaration neither duplicates the principal nor its assignment;
            // declaring it disabled locks it out.
            await using (var server = await KeyhubTestServer.StartAsync(
                configure: o => o with { Principals = [Declared(clientId, secret, enabled: false)] },
                dataDirectory: folder,
                keepDataDirectory: true))
            {
                var principals = await server.Server.Runtime.Principals.ListAsync(CancellationToken.None);
                var declared = Assert.Single(principals, p => p.ClientId == clientId);
                Assert.False(declared.Enabled);
                var assignments = await server.Server.Runtime.RoleAssignments.ListAsync(CancellationToken.None);
                Assert.Single(assignments, a => a.PrincipalId == declared.ObjectId);
                await Assert.ThrowsAsync<Azure.Identity.AuthenticationFailedException>(
                    () => server.SecretClient(clientId, secret).GetSecretAsync("declared-visible"));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Invalid_declarations_stop_the_server_at_startup_listing_every_problem()
    {
        var bad = new DeclaredPrincipal
        {
            ClientId = "not-a-guid",
            DisplayName = "broken",
            SecretHash = "plain-text-secret",
            Roles = [new DeclaredRoleAssignment { Role = "key vault administrator", Scope = "/vaults/../x" }],
        };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => KeyhubTestServer.StartAsync(configure: o => o with { Principals = [bad] }));
        Assert.Contains("ClientId must be a GUID", error.Message, StringComparison.Ordinal);
        Assert.Contains("SecretHash", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown role", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid scope", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("plain-text-secret", error.Message, StringComparison.Ordinal);
    }
}
