using Microsoft.Extensions.Configuration;

namespace Keyhub.Server.Hosting;

/// <summary>
/// Listeners for port-bound vaults created while the server runs. Kestrel reloads endpoints declared in
/// configuration when that configuration changes, so a new vault's port starts listening without a
/// restart; this class is that configuration. (Ports known at startup are bound in code.)
/// </summary>
public sealed class DynamicListeners(string certificatePath, string keyPath, bool loopbackOnly, IReadOnlySet<int> boundAtStartup)
{
    private readonly Provider _provider = new();

    public IConfiguration Configuration { get; private set; } = null!;

    internal IConfigurationSource Source => new SourceOf(_provider);

    internal void Attach(IConfiguration configuration) => Configuration = configuration;

    /// <summary>
    /// Whether <paramref name="port"/> can be bound on the addresses a vault listener would use. Kestrel binds
    /// reloaded endpoints in the background and only logs a failure, so a port held by another process must be
    /// found before the vault is created (a small race remains).
    /// </summary>
    public bool CanBind(int port)
    {
        // Ports this server already listens on (at startup, or for a vault deleted or purged since) are its own;
        // out-of-range ports are the registry's to refuse.
        if (boundAtStartup.Contains(port) || port is < 1 or > 65535
            || _provider.Snapshot().ContainsKey($"Endpoints:vault-{port}-{(loopbackOnly ? "v4" : "any")}:Url"))
        {
            return true;
        }
        var addresses = loopbackOnly ? new[] { System.Net.IPAddress.Loopback, System.Net.IPAddress.IPv6Loopback } : [System.Net.IPAddress.Any];
        foreach (var address in addresses)
        {
            var probe = new System.Net.Sockets.TcpListener(address, port);
            try
            {
                probe.Start();
            }
            catch (System.Net.Sockets.SocketException error) when (error.SocketErrorCode != System.Net.Sockets.SocketError.AddressFamilyNotSupported)
            {
                return false;
            }
            catch (System.Net.Sockets.SocketException)
            {
                // No IPv6 on this host: nothing to bind there either.
            }
            finally
            {
                probe.Stop();
            }
        }
        return true;
    }

    public void Add(int port)
    {
        if (boundAtStartup.Contains(port))
        {
            return;
        }
        var hosts = loopbackOnly ? new[] { ("v4", "127.0.0.1"), ("v6", "[::1]") } : [("any", "0.0.0.0")];
        var data = new Dictionary<string, string?>(_provider.Snapshot(), StringComparer.OrdinalIgnoreCase);
        foreach (var (suffix, host) in hosts)
        {
            var prefix = $"Endpoints:vault-{port}-{suffix}";
            data[$"{prefix}:Url"] = $"https://{host}:{port}";
            data[$"{prefix}:Certificate:Path"] = certificatePath;
            data[$"{prefix}:Certificate:KeyPath"] = keyPath;
            data[$"{prefix}:SslProtocols:0"] = "Tls12";
            data[$"{prefix}:SslProtocols:1"] = "Tls13";
        }
        _provider.Replace(data);
    }

    private sealed class SourceOf(Provider provider) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => provider;
    }

    private sealed class Provider : ConfigurationProvider
    {
        public Dictionary<string, string?> Snapshot() => new(Data, StringComparer.OrdinalIgnoreCase);

        public void Replace(Dictionary<string, string?> data)
        {
            Data = data;
            OnReload();
        }
    }
}
