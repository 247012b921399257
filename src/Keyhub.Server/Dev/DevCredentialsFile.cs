namespace Keyhub.Server.Dev;

/// <summary>Keeps <c>credentials.json</c> listing every port-bound vault, including ones created at run time.</summary>
public sealed class DevCredentialsFile(string dataDirectory, DevCredentials initial, string caPem)
{
    private readonly Lock _gate = new();
    private DevCredentials _current = initial;

    public DevCredentials Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    public void Write()
    {
        lock (_gate)
        {
            DevBootstrap.WriteFiles(dataDirectory, _current, caPem);
        }
    }

    public void AddVault(string name, int port)
    {
        lock (_gate)
        {
            _current = _current with { Vaults = new Dictionary<string, string>(_current.Vaults) { [name] = $"https://localhost:{port}" } };
            DevBootstrap.WriteFiles(dataDirectory, _current, caPem);
        }
    }
}
