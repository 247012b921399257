using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Dev;

/// <summary>design.md §7 and §2: the dev seal key, the TLS keys and the credentials are readable by their owner only.</summary>
public sealed class DevModeFilesTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _root = Directory.CreateTempSubdirectory("keyhub-dev-files-").FullName;

    private string Data => Path.Combine(_root, "data");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Dev_mode_keeps_keys_and_credentials_private_to_their_owner()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        await using var server = await KeyhubTestServer.StartAsync(dataDirectory: Data, keepDataDirectory: true);

        DevFiles.Read(Data, server.Port);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Data));
        foreach (var file in new[] { "seal.key", "tls/ca-key.pem", "tls/server-key.pem", "dev/credentials.json" })
        {
            Assert.True(OwnerReadWrite == File.GetUnixFileMode(Path.Combine(Data, file)), $"{file} has mode {File.GetUnixFileMode(Path.Combine(Data, file))}.");
        }
    }
}
