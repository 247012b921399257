using Azure;
using Azure.Security.KeyVault.Secrets;
using Keyhub.Core.Authorization;

namespace Keyhub.Server.Tests.Security;

/// <summary>
/// Deny by default, through the official SecretClient: a principal gets exactly what its role
/// assignments grant on an enclosing scope, and a 403 <c>Forbidden</c> for everything else.
/// </summary>
[Collection(SecurityServerCollection.Name)]
public sealed class AuthorizationTests(SecurityServer fixture)
{
    [Fact]
    public async Task Principal_without_a_role_is_forbidden_every_secret_operation()
    {
        var server = fixture.Server;
        var admin = server.SecretClient();
        var target = await admin.SetSecretAsync("authz-norole-target", "authz-norole-value");
        var backup = (await admin.BackupSecretAsync("authz-norole-target")).Value;
        var (clientId, secret, _) = await server.AddPrincipalAsync("no-role");
        var client = server.SecretClient(clientId, secret);

        var operations = new (string Name, Func<Task> Call)[]
        {
            ("get", () => client.GetSecretAsync("authz-norole-target")),
            ("get version", () => client.GetSecretAsync("authz-norole-target", target.Value.Properties.Version)),
            ("get missing", () => client.GetSecretAsync("authz-norole-missing")),
            ("set", () => client.SetSecretAsync("authz-norole-target", "overwritten")),
            ("set new", () => client.SetSecretAsync("authz-norole-new", "created")),
            ("update", () => client.UpdateSecretPropertiesAsync(target.Value.Properties)),
            ("list", () => FirstPageAsync(client.GetPropertiesOfSecretsAsync())),
            ("list versions", () => FirstPageAsync(client.GetPropertiesOfSecretVersionsAsync("authz-norole-target"))),
            ("list deleted", () => FirstPageAsync(client.GetDeletedSecretsAsync())),
            ("delete", () => client.StartDeleteSecretAsync("authz-norole-target")),
            ("get deleted", () => client.GetDeletedSecretAsync("authz-norole-target")),
            ("recover", () => client.StartRecoverDeletedSecretAsync("authz-norole-target")),
            ("purge", () => client.PurgeDeletedSecretAsync("authz-norole-target")),
            ("backup", () => client.BackupSecretAsync("authz-norole-target")),
            ("restore", () => client.RestoreSecretBackupAsync(backup)),
        };
        foreach (var (name, call) in operations)
        {
            await AssertForbiddenAsync(name, call);
        }

        var after = await admin.GetSecretAsync("authz-norole-target");
        Assert.Equal("authz-norole-value", after.Value.Value);
        Assert.Equal(target.Value.Properties.Version, after.Value.Properties.Version);
        await AssertNotFoundAsync(() => admin.GetSecretAsync("authz-norole-new"));
    }

    [Fact]
    public async Task Secrets_user_can_read_but_not_write_delete_or_back_up()
    {
        var server = fixture.Server;
        var admin = server.SecretClient();
        var target = await admin.SetSecretAsync("authz-reader-target", "authz-reader-value");
        var (clientId, secret, _) = await server.AddPrincipalAsync("secrets-user", BuiltInRoles.SecretsUser);
        var client = server.SecretClient(clientId, secret);

        Assert.Equal("authz-reader-value", (await client.GetSecretAsync("authz-reader-target")).Value.Value);
        await FirstPageAsync(client.GetPropertiesOfSecretsAsync());
        await FirstPageAsync(client.GetPropertiesOfSecretVersionsAsync("authz-reader-target"));

        await AssertForbiddenAsync("set", () => client.SetSecretAsync("authz-reader-target", "overwritten"));
        await AssertForbiddenAsync("update", () => client.UpdateSecretPropertiesAsync(target.Value.Properties));
        await AssertForbiddenAsync("delete", () => client.StartDeleteSecretAsync("authz-reader-target"));
        await AssertForbiddenAsync("backup", () => client.BackupSecretAsync("authz-reader-target"));
        await AssertForbiddenAsync("purge", () => client.PurgeDeletedSecretAsync("authz-reader-target"));

        var after = await admin.GetSecretAsync("authz-reader-target");
        Assert.Equal(target.Value.Properties.Version, after.Value.Properties.Version);
        Assert.Equal("authz-reader-value", after.Value.Value);
    }

    [Fact]
    public async Task Role_at_object_scope_grants_that_secret_only()
    {
        var server = fixture.Server;
        var admin = server.SecretClient();
        foreach (var name in new[] { "scoped-app", "scoped-app2", "scoped-app-x", "scoped-ap" })
        {
            await admin.SetSecretAsync(name, "value-of-" + name);
        }
        var (clientId, secret, _) = await server.AddPrincipalAsync("object-scoped", BuiltInRoles.SecretsUser, "/vaults/hub/secrets/scoped-app");
        var client = server.SecretClient(clientId, secret);

        Assert.Equal("value-of-scoped-app", (await client.GetSecretAsync("scoped-app")).Value.Value);
        // Names are case-insensitive: the same secret under another spelling is still in scope.
        Assert.Equal("value-of-scoped-app", (await client.GetSecretAsync("SCOPED-APP")).Value.Value);

        await AssertForbiddenAsync("get name extending the scope", () => client.GetSecretAsync("scoped-app2"));
        await AssertForbiddenAsync("get sibling under the scope name", () => client.GetSecretAsync("scoped-app-x"));
        await AssertForbiddenAsync("get prefix of the scope name", () => client.GetSecretAsync("scoped-ap"));
        await AssertForbiddenAsync("list the vault", () => FirstPageAsync(client.GetPropertiesOfSecretsAsync()));
        await AssertForbiddenAsync("set in scope", () => client.SetSecretAsync("scoped-app", "overwritten"));
    }

    [Fact]
    public async Task Role_on_another_vault_grants_nothing_here()
    {
        var server = fixture.Server;
        await server.SecretClient().SetSecretAsync("authz-other-vault", "value");
        var (clientId, secret, _) = await server.AddPrincipalAsync("spoke-officer", BuiltInRoles.SecretsOfficer, "/vaults/spoke-a");
        var client = server.SecretClient(clientId, secret);

        await AssertForbiddenAsync("get", () => client.GetSecretAsync("authz-other-vault"));
        await AssertForbiddenAsync("set", () => client.SetSecretAsync("authz-other-vault", "overwritten"));
        await AssertForbiddenAsync("list", () => FirstPageAsync(client.GetPropertiesOfSecretsAsync()));
    }

    private static async Task FirstPageAsync<T>(AsyncPageable<T> pageable)
        where T : notnull
    {
        await foreach (var _ in pageable.AsPages(pageSizeHint: 1))
        {
            return;
        }
    }

    private static async Task AssertForbiddenAsync(string operation, Func<Task> call)
    {
        RequestFailedException? error = null;
        try
        {
            await call();
        }
        catch (RequestFailedException ex)
        {
            error = ex;
        }
        Assert.True(error is not null, $"'{operation}' was allowed.");
        Assert.True(error.Status == 403, $"'{operation}' answered {error.Status} {error.ErrorCode}, expected 403.");
        Assert.Equal("Forbidden", error.ErrorCode);
    }

    private static async Task AssertNotFoundAsync(Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(call);
        Assert.Equal(404, error.Status);
    }
}
