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

    private static readonly HashSet<string> LoopbackNames = new(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "[::1]" };

    public const string LoopbackAudience = "https://localhost";

    public string? BaseDomain => _baseDomain;

    public IEnumerable<string> Audiences =>
        (portVaults.Count > 0 ? [LoopbackAudience] : Array.Empty<string>())
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
            return portVaults.TryGetValue(localPort, out var bound)
                ? new AddressResult(true, bound, LoopbackAudience, origin)
                : new AddressResult(true, null, null, origin);
        }
        if (_baseDomain is not null)
        {
            if (host == _baseDomain)
            {
                return new AddressResult(true, null, null, origin);
            }
            var suffix = "." + _baseDomain;
            if (host.EndsWith(suffix, StringComparison.Ordinal)
                && namedVaults.TryGetValue(host[..^suffix.Length], out var vault))
            {
                return new AddressResult(true, vault, $"https://{_baseDomain}", origin);
            }
        }
        return AddressResult.Refused;
    }
}

/// <summary>Whether the host is served here, the vault it names (if any) and that vault's token audience.</summary>
public sealed record AddressResult(bool Allowed, VaultProperties? Vault, string? Audience, string? Origin)
{
    public static readonly AddressResult Refused = new(false, null, null, null);
}
