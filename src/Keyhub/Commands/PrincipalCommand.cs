using System.Text.Json;
using Keyhub.Core.Authorization;
using Keyhub.Core.Identity;
using Keyhub.Server.Hosting;

namespace Keyhub.Commands;

/// <summary>
/// Offline principal administration on a data folder (the server must be stopped: the folder lock
/// enforces it). The secret is printed once and only its salted hash is stored.
/// </summary>
internal static class PrincipalCommand
{
    public static async Task<int> RunAsync(string verb, Arguments args)
    {
        var data = Path.GetFullPath(args.Required("data"));
        using var directoryLock = DataDirectoryLock.Acquire(data);
        switch (verb)
        {
            case "add":
            {
                var name = args.Required("name");
                var role = args.Optional("role");
                var scope = args.Optional("scope");
                args.RejectUnknown();
                if ((role is null) != (scope is null))
                {
                    throw new CommandLineException("--role and --scope go together");
                }
                // Check the assignment before creating the principal: a refused command must leave
                // nothing behind (least of all an enabled principal whose secret was never shown).
                if (role is not null && BuiltInRoles.Find(role) is null)
                {
                    throw new CommandLineException($"unknown role '{role}' (a built-in role name or id, matched exactly)");
                }
                scope = scope is null ? null : Scopes.Parse(scope);
                await using var deployment = await OfflineRuntime.OpenAsync(data);
                var runtime = deployment.Runtime;
                var (principal, secret) = await runtime.Principals.AddAsync(name, CancellationToken.None);
                if (role is not null)
                {
                    await runtime.RoleAssignments.AddAsync(principal.ObjectId, role, scope!, CancellationToken.None);
                }
                Console.WriteLine(JsonSerializer.Serialize(new { clientId = principal.ClientId, clientSecret = secret, objectId = principal.ObjectId }));
                return 0;
            }
            case "disable" or "enable":
            {
                var clientId = args.Required("client-id");
                args.RejectUnknown();
                await using var deployment = await OfflineRuntime.OpenAsync(data);
                var runtime = deployment.Runtime;
                var principal = await runtime.Principals.SetEnabledAsync(clientId, verb == "enable", CancellationToken.None);
                Console.WriteLine(JsonSerializer.Serialize(new { clientId = principal.ClientId, enabled = principal.Enabled }));
                return 0;
            }
            case "list":
            {
                args.RejectUnknown();
                await using var deployment = await OfflineRuntime.OpenAsync(data);
                var runtime = deployment.Runtime;
                foreach (var p in await runtime.Principals.ListAsync(CancellationToken.None))
                {
                    Console.WriteLine(JsonSerializer.Serialize(new { clientId = p.ClientId, objectId = p.ObjectId, displayName = p.DisplayName, enabled = p.Enabled }));
                }
                return 0;
            }
            default:
                throw new CommandLineException($"unknown principal command '{verb}'");
        }
    }

    /// <summary>
    /// A new client secret and the salted hash to put in configuration (Keyhub:Principals:N:SecretHash);
    /// touches no data folder. Give the secret to the application, keep only the hash in configuration.
    /// </summary>
    public static int HashSecret(Arguments args)
    {
        args.RejectUnknown();
        var secret = ClientSecretHasher.NewSecret();
        Console.WriteLine(JsonSerializer.Serialize(new { clientId = Guid.NewGuid().ToString(), clientSecret = secret, secretHash = ClientSecretHasher.Hash(secret) }));
        return 0;
    }
}
