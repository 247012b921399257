using Keyhub.Core.Authorization;
using Keyhub.Core.Errors;
using Keyhub.Core.Vaults;
using Keyhub.Server.Dev;
using Keyhub.Server.Hosting;
using Keyhub.Server.Http;

namespace Keyhub.Server.Management;

/// <summary>
/// Vault lifecycle at run time: the registry change, plus what makes a vault reachable or not — its
/// address, its listener (port-bound vaults start listening without a restart), the owner group's
/// delegation, and in dev mode its line in credentials.json.
/// </summary>
public sealed class VaultLifecycle(
    KeyhubRuntime runtime,
    VaultAddressing addressing,
    DynamicListeners listeners,
    KeyhubServerOptions options,
    DevCredentialsFile? devCredentials = null)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// Creates a vault. With an owner group, delegates it: the group gets Key Vault Administrator and
    /// Key Vault Data Access Administrator on this vault only.
    /// </summary>
    public async Task<VaultProperties> CreateAsync(VaultProperties vault, string? ownerGroupId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (vault.Port is { } port && (port == options.Port || addressing.PortVaults.ContainsKey(port)))
            {
                throw Errors.Conflict($"Port {port} is already in use by this server.");
            }
            if (vault.Port is { } wanted && !listeners.CanBind(wanted))
            {
                throw Errors.Conflict($"Port {wanted} is in use by another process.");
            }
            if (vault.Port is null && addressing.BaseDomain is null)
            {
                throw Errors.BadParameter("A vault without its own port is addressed by host name, which needs Keyhub:BaseDomain; give it a port.");
            }
            if (ownerGroupId is not null && await runtime.Groups.GetAsync(ownerGroupId, cancellationToken) is null)
            {
                throw Errors.BadParameter($"No group has object id {ownerGroupId}.");
            }
            var created = await runtime.Vaults.CreateAsync(vault, cancellationToken);
            if (ownerGroupId is not null)
            {
                var scope = Scopes.Vault(created.Name);
                await runtime.RoleAssignments.AddAsync(ownerGroupId, BuiltInRoles.Administrator.Id, scope, cancellationToken);
                await runtime.RoleAssignments.AddAsync(ownerGroupId, BuiltInRoles.DataAccessAdministrator.Id, scope, cancellationToken);
            }
            MakeReachable(created);
            return created;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<VaultProperties> UpdateAsync(string name, VaultUpdate update, CancellationToken cancellationToken)
    {
        var updated = await runtime.Vaults.UpdateAsync(name, update, cancellationToken);
        addressing.Update(updated);
        return updated;
    }

    public async Task<DeletedVault> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var deleted = await runtime.Vaults.DeleteAsync(name, cancellationToken);
        addressing.Remove(deleted.Vault.Name);
        devCredentials?.RemoveVault(deleted.Vault.Name);
        return deleted;
    }

    public async Task<VaultProperties> RecoverAsync(string name, CancellationToken cancellationToken)
    {
        var recovered = await runtime.Vaults.RecoverAsync(name, cancellationToken);
        MakeReachable(recovered);
        return recovered;
    }

    public Task PurgeAsync(string name, CancellationToken cancellationToken) => runtime.Vaults.PurgeAsync(name, cancellationToken);

    /// <summary>The URL a vault answers at: its own port on localhost, or its host name under the base domain.</summary>
    public string UrlOf(VaultProperties vault)
    {
        var port = addressing.PortVaults.FirstOrDefault(p => p.Value.Name == vault.Name).Key;
        if (port != 0)
        {
            return $"https://localhost:{port}";
        }
        return addressing.BaseDomain is { } domain
            ? (options.Port == 443 ? $"https://{vault.Name}.{domain}" : $"https://{vault.Name}.{domain}:{options.Port}")
            : "";
    }

    private void MakeReachable(VaultProperties vault)
    {
        addressing.Add(vault, vault.Port);
        if (vault.Port is { } port)
        {
            listeners.Add(port);
            devCredentials?.AddVault(vault.Name, port);
        }
    }
}
