using System.Text;
using System.Text.Json;
using Keyhub.Core.Authorization;
using Keyhub.Core.IO;
using Keyhub.Server.Hosting;

namespace Keyhub.Server.Dev;

/// <summary>
/// First start of dev mode: an administrator principal holding Key Vault Administrator on the hub
/// vault and Owner of the deployment, through ordinary role assignments (no hard-coded identity). Its secret is kept only in
/// credentials.json; if that file is lost, the secret is reset.
/// </summary>
internal static class DevBootstrap
{
    public const string AdminDisplayName = "Keyhub dev administrator";
    public const string HubVault = "hub";

    public static async Task<(string ClientId, string ClientSecret)> EnsureAdminAsync(KeyhubRuntime runtime, string dataDirectory, CancellationToken cancellationToken)
    {
        var (clientId, secret) = await EnsureAdminPrincipalAsync(runtime, dataDirectory, cancellationToken);
        // The dev administrator also owns the deployment (vaults, principals, groups, role assignments);
        // Owner grants no data access, so its hub data rights still come from Key Vault Administrator alone.
        var admin = (await runtime.Principals.GetByClientIdAsync(clientId, cancellationToken))!;
        await runtime.RoleAssignments.EnsureAsync(admin.ObjectId, BuiltInRoles.Owner.Id, Scopes.Root, cancellationToken);
        return (clientId, secret);
    }

    private static async Task<(string ClientId, string ClientSecret)> EnsureAdminPrincipalAsync(KeyhubRuntime runtime, string dataDirectory, CancellationToken cancellationToken)
    {
        if (DevCredentials.TryRead(dataDirectory) is { } previous
            && await runtime.Principals.AuthenticateAsync(previous.ClientId, previous.ClientSecret, cancellationToken) is not null)
        {
            return (previous.ClientId, previous.ClientSecret);
        }
        var existing = (await runtime.Principals.ListAsync(cancellationToken)).FirstOrDefault(p => p.DisplayName == AdminDisplayName);
        if (existing is not null)
        {
            await runtime.Principals.SetEnabledAsync(existing.ClientId, true, cancellationToken);
            return (existing.ClientId, await runtime.Principals.ResetSecretAsync(existing.ClientId, cancellationToken));
        }
        var (admin, secret) = await runtime.Principals.AddAsync(AdminDisplayName, cancellationToken);
        await runtime.RoleAssignments.AddAsync(admin.ObjectId, BuiltInRoles.Administrator.Id, Scopes.Vault(HubVault), cancellationToken);
        return (admin.ClientId, secret);
    }

    /// <summary>Written once the listeners are bound, atomically, with the current port.</summary>
    public static void WriteFiles(string dataDirectory, DevCredentials credentials, string caPem)
    {
        PrivateFile.WriteAtomically(Path.Combine(dataDirectory, "dev", "ca.pem"), Encoding.ASCII.GetBytes(caPem), ownerOnly: false);
        PrivateFile.WriteAtomically(
            DevCredentials.PathIn(dataDirectory),
            JsonSerializer.SerializeToUtf8Bytes(credentials, new JsonSerializerOptions { WriteIndented = true }),
            ownerOnly: true);
    }

    public static string ConnectionHelp(DevCredentials c) => $$"""

        Keyhub dev mode. Credentials: {{Path.GetFullPath(c.CaCertificate).Replace("ca.pem", "credentials.json", StringComparison.Ordinal)}}
          Hub vault:      {{c.Vaults[HubVault]}}
          Authority host: {{c.AuthorityHost}}   Tenant: {{c.TenantId}}
          Client id:      {{c.ClientId}}   (secret in credentials.json)
          CA certificate: {{c.CaCertificate}}

        C# (Azure.Identity + Azure.Security.KeyVault.Secrets; trust the CA in your HttpClient transport):
          var credential = new ClientSecretCredential("{{c.TenantId}}", "{{c.ClientId}}", clientSecret,
              new ClientSecretCredentialOptions { AuthorityHost = new Uri("{{c.AuthorityHost}}"), DisableInstanceDiscovery = true });
          var client = new SecretClient(new Uri("{{c.Vaults[HubVault]}}"), credential,
              new SecretClientOptions { DisableChallengeResourceVerification = true });

        JavaScript (NODE_EXTRA_CA_CERTS={{c.CaCertificate}}):
          const credential = new ClientSecretCredential("{{c.TenantId}}", "{{c.ClientId}}", clientSecret,
            { authorityHost: "{{c.AuthorityHost}}", disableInstanceDiscovery: true });
          const client = new SecretClient("{{c.Vaults[HubVault]}}", credential, { disableChallengeResourceVerification: true });

        Shell: eval "$(dotnet run --project src/Keyhub -- dev env --data {{Path.GetDirectoryName(Path.GetDirectoryName(c.CaCertificate))}})"

        """;
}
