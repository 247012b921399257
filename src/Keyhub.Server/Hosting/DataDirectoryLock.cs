namespace Keyhub.Server.Hosting;

/// <summary>
/// An exclusive lock on the data folder (flock through FileShare.None), so a second server or an
/// offline tool cannot open the same folder while a server runs.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _lock;

    private DataDirectoryLock(FileStream stream) => _lock = stream;

    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        CreatePrivate(dataDirectory);
        var path = Path.Combine(dataDirectory, "keyhub.lock");
        try
        {
            return new DataDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"The data folder '{Path.GetFullPath(dataDirectory)}' is in use by another Keyhub process.", ex);
        }
    }

    public void Dispose() => _lock.Dispose();

    /// <summary>The data folder holds the seal key and TLS keys: only its owner may enter it.</summary>
    public static void CreatePrivate(string dataDirectory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataDirectory);
        }
        else if (!Directory.Exists(dataDirectory))
        {
            Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
