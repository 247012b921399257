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

    /// <summary>A deleted vault no longer answers, so it leaves the file (recovery adds it back).</summary>
    public void RemoveVault(string name)
    {
        lock (_gate)
        {
            if (name == DevBootstrap.HubVault || !_current.Vaults.ContainsKey(name))
            {
                return;
            }
            var vaults = new Dictionary<string, string>(_current.Vaults);
            vaults.Remove(name);
            _current = _current with { Vaults = vaults };
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
