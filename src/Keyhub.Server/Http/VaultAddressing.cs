using Keyhub.Core.Vaults;

namespace Keyhub.Server.Http;

/// <summary>
/// Maps a request to a vault (design.md §4): by the local port for port-bound vaults, else by host
/// name under the base domain. Only names on a vault's allow-list are accepted, so no arbitrary
/// <c>Host</c> header ever reaches an identifier or a link.
/// </summary>
public sealed class VaultAddressing(IReadOnlyDictionary<int, VaultProperties> portVaults, IReadOnlyDictionary<string, VaultProperties> namedVaults, string? baseDomain)
{
    private static readonly HashSet<string> LoopbackNames = new(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "[::1]" };

    public const string LoopbackAudience = "https://localhost";

    public string? BaseDomain => baseDomain;

    public IEnumerable<string> Audiences =>
        (portVaults.Count > 0 ? [LoopbackAudience] : Array.Empty<string>())
        .Concat(baseDomain is null ? [] : [$"https://{baseDomain}"]);

    public AddressResult Resolve(string host, int? hostPort, int localPort)
    {
        if (portVaults.TryGetValue(localPort, out var bound))
        {
            var allowed = LoopbackNames.Contains(host) && (hostPort is null || hostPort == localPort);
            return allowed ? new AddressResult(true, bound, LoopbackAudience) : AddressResult.Refused;
        }
        if (baseDomain is not null)
        {
            if (string.Equals(host, baseDomain, StringComparison.OrdinalIgnoreCase))
            {
                return new AddressResult(true, null, null);
            }
            var suffix = "." + baseDomain;
            if (host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                var name = host[..^suffix.Length];
                return namedVaults.TryGetValue(name, out var vault)
                    ? new AddressResult(true, vault, $"https://{baseDomain}")
                    : AddressResult.Refused;
            }
        }
        return LoopbackNames.Contains(host) ? new AddressResult(true, null, null) : AddressResult.Refused;
    }
}

/// <summary>Whether the host is served here, the vault it names (if any) and that vault's token audience.</summary>
public sealed record AddressResult(bool Allowed, VaultProperties? Vault, string? Audience)
{
    public static readonly AddressResult Refused = new(false, null, null);
}
