using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Keyhub.Pkcs11.Tests;

/// <summary>
/// A SoftHSM2 token for tests, in a token directory of this test process (never the machine's
/// /var/lib/softhsm). Self-contained so that other test projects can link or copy this file.
/// </summary>
/// <remarks>
/// SoftHSM reads SOFTHSM2_CONF when C_Initialize runs, and the variable is process-wide, so the whole process
/// shares one configuration and token directory, made on first use; each <see cref="Create"/> adds a token
/// with its own label to it. SoftHSM also lists tokens as they were at C_Initialize: a token created while
/// a PKCS#11 module is loaded in this process stays invisible until every user of that module has let go
/// of it (Keyhub's Pkcs11Token finalizes and unloads the module when its last instance is disposed).
/// So create tokens before opening any, e.g. in the constructor of a class fixture, with the test classes
/// that open tokens running one at a time (one xunit collection).
/// </remarks>
public sealed class SoftHsm
{
    public const string DefaultLibraryPath = "/usr/lib/softhsm/libsofthsm2.so";

    private static readonly Lazy<(string Root, string ConfPath, string TokenDirectory)> Environment = new(CreateEnvironment);
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, SoftHsm> Tokens = new(StringComparer.Ordinal);

    private SoftHsm(string label, string confPath, string tokenDirectory)
    {
        TokenLabel = label;
        ConfPath = confPath;
        TokenDirectory = tokenDirectory;
    }

    /// <summary>Whether SoftHSM2's PKCS#11 module is installed (Debian's softhsm2 package).</summary>
    public static bool IsAvailable => File.Exists(DefaultLibraryPath);

    public string LibraryPath => DefaultLibraryPath;

    public string TokenLabel { get; }

    public string Pin => "1234-user";

    public string SoPin => "5678-so";

    public string ConfPath { get; }

    public string TokenDirectory { get; }

    /// <summary>
    /// Initializes a token with this label in the process's token directory, or returns the one made earlier
    /// under the same label. Call it before the first PKCS#11 module load that should see the token.
    /// </summary>
    public static SoftHsm Create(string label)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        if (!IsAvailable)
        {
            throw new InvalidOperationException($"SoftHSM2 is not installed ({DefaultLibraryPath}); run scripts/install-softhsm.sh");
        }

        var (_, confPath, tokenDirectory) = Environment.Value;
        lock (Gate)
        {
            if (Tokens.TryGetValue(label, out var existing))
            {
                return existing;
            }

            var token = new SoftHsm(label, confPath, tokenDirectory);
            RunSoftHsmUtil(confPath, "--init-token", "--free", "--label", label, "--pin", token.Pin, "--so-pin", token.SoPin);
            Tokens.Add(label, token);
            return token;
        }
    }

    private static (string, string, string) CreateEnvironment()
    {
        var root = Path.Combine(Path.GetTempPath(), $"keyhub-softhsm-{System.Environment.ProcessId}-{Guid.NewGuid():N}");
        var tokenDirectory = Path.Combine(root, "tokens");
        Directory.CreateDirectory(tokenDirectory);
        var confPath = Path.Combine(root, "softhsm2.conf");
        File.WriteAllText(confPath, $"""
            directories.tokendir = {tokenDirectory}
            objectstore.backend = file
            log.level = ERROR
            slots.removable = false

            """);

        // .NET keeps its own copy of the environment on Unix: Environment.SetEnvironmentVariable reaches child
        // processes but not getenv() inside native libraries, so SoftHSM needs the libc setenv as well.
        System.Environment.SetEnvironmentVariable("SOFTHSM2_CONF", confPath);
        if (NativeMethods.setenv("SOFTHSM2_CONF", confPath, 1) != 0)
        {
            throw new InvalidOperationException("setenv(SOFTHSM2_CONF) failed");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // Best effort; the directory is under the temp folder.
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
        return (root, confPath, tokenDirectory);
    }

    private static void RunSoftHsmUtil(string confPath, params string[] arguments)
    {
        var start = new ProcessStartInfo("softhsm2-util")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SOFTHSM2_CONF"] = confPath;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("softhsm2-util did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"softhsm2-util {arguments[0]} failed ({process.ExitCode}): {error}{output.Result}");
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "setenv", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int setenv(
            [MarshalAs(UnmanagedType.LPUTF8Str)] string name,
            [MarshalAs(UnmanagedType.LPUTF8Str)] string value,
            int overwrite);
    }
}
