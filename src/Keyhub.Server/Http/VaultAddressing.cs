using Keyhub.Core.Vaults;

namespace Keyhub.Server.Http;

/// <summary>
/// Maps a request to a vault (design.md §4): by the local port for port-bound vaults, else by host
/// name under the base domain. Only names on a vault's allow-list are accepted, so no arbitrary
/// <c>Host</c> header ever reaches an identifier or a link.
/// </summary>
public sealed class VaultAddressing(IReadOnlyDictionary<int, VaultProperties> portVaults, IReadOnlyDictionary<string, VaultProperties> namedVaults, string? baseDomain)
{
    private readonly string? _baseDomain = baseDomain?.ToLowerInvariant();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, VaultProperties> _portVaults = new(portVaults);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, VaultProperties> _namedVaults = new(namedVaults, StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> LoopbackNames = new(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "[::1]" };

    public const string LoopbackAudience = "https://localhost";

    public string? BaseDomain => _baseDomain;

    /// <summary>Port-bound vaults and their ports.</summary>
    public IReadOnlyDictionary<int, VaultProperties> PortVaults => _portVaults;

    /// <summary>Makes a vault reachable (a port-bound vault also needs its listener).</summary>
    public void Add(VaultProperties vault, int? port)
    {
        if (port is { } p)
        {
            _portVaults[p] = vault;
        }
        else
        {
            _namedVaults[vault.Name] = vault;
        }
    }

    /// <summary>Makes a vault unreachable (deleted vaults answer nothing).</summary>
    public void Remove(string name)
    {
        foreach (var (port, vault) in _portVaults)
        {
            if (vault.Name == name)
            {
                _portVaults.TryRemove(port, out _);
            }
        }
        _namedVaults.TryRemove(name, out _);
    }

    /// <summary>Refreshes the properties of a reachable vault after an update.</summary>
    public void Update(VaultProperties vault)
    {
        foreach (var (port, existing) in _portVaults)
        {
            if (existing.Name == vault.Name)
            {
                _portVaults[port] = vault;
            }
        }
        if (_namedVaults.ContainsKey(vault.Name))
        {
            _namedVaults[vault.Name] = vault;
        }
    }

    public IEnumerable<string> Audiences =>
        (_portVaults.IsEmpty && _baseDomain is not null ? Array.Empty<string>() : [LoopbackAudience])
        .Concat(_baseDomain is null ? [] : [$"https://{_baseDomain}"]);

    public AddressResult Resolve(string host, int? hostPort, int localPort)
    {
        // A Host header naming another port is not this listener's name, whatever the host part says.
        if (hostPort is not null && hostPort != localPort)
        {
            return AddressResult.Refused;
        }
        host = host.ToLowerInvariant();
        // Identifiers and links are built from the listener's own port, never from the header's.
        var origin = $"https://{host}:{localPort}";
        if (LoopbackNames.Contains(host))
        {
            return _portVaults.TryGetValue(localPort, out var bound)
                ? new AddressResult(true, bound, LoopbackAudience, origin)
                : new AddressResult(true, null, LoopbackAudience, origin);
        }
        if (_baseDomain is not null)
        {
            if (host == _baseDomain)
            {
                return new AddressResult(true, null, $"https://{_baseDomain}", origin);
            }
            var suffix = "." + _baseDomain;
            if (host.EndsWith(suffix, StringComparison.Ordinal)
                && _namedVaults.TryGetValue(host[..^suffix.Length], out var vault))
            {
                return new AddressResult(true, vault, $"https://{_baseDomain}", origin);
            }
        }
        return AddressResult.Refused;
    }
}

/// <summary>Whether the host is served here, the vault it names (if any), and the token audience of that vault or origin.</summary>
public sealed record AddressResult(bool Allowed, VaultProperties? Vault, string? Audience, string? Origin)
{
    public static readonly AddressResult Refused = new(false, null, null, null);
}
