using System.Net;
using System.Net.Sockets;

namespace Keyhub.Server.Tests.Infrastructure;

/// <summary>
/// Every test server gets its own port: the .NET SDK caches challenges per host:port for the whole
/// process, so reusing a port would leak one server's challenge into another's test.
/// </summary>
public static class FreePort
{
    private static readonly HashSet<int> Handed = [];
    private static readonly Lock Gate = new();

    public static int Next()
    {
        lock (Gate)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Handed.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
