using System.Collections.Concurrent;
using System.Diagnostics;

namespace Keyhub.Server.Tests.Dev;

/// <summary>
/// The real <c>keyhub</c> executable, out of process: <c>dotnet keyhub.dll …</c> from the test output
/// folder (the test project references src/Keyhub). Servers run until killed; commands run to completion.
/// </summary>
internal sealed class KeyhubProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly AsyncLocal<IReadOnlyDictionary<string, string>?> s_environment = new();
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _sealed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private KeyhubProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public string Output => string.Join('\n', _output);

    public string Errors => string.Join('\n', _errors);

    /// <summary>Starts <c>keyhub server --dev --data DIR --port N</c> and waits for its <c>Keyhub ready</c> line.</summary>
    public static Task<KeyhubProcess> StartServerAsync(string dataDirectory, int port) =>
        StartServerAsync(["server", "--dev", "--data", dataDirectory, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    /// <summary>Starts <c>keyhub</c> with the given server arguments and waits for its <c>Keyhub ready</c> line.</summary>
    public static async Task<KeyhubProcess> StartServerAsync(string[] arguments)
    {
        var server = Start(arguments);
        var exited = server._process.WaitForExitAsync();
        var first = await Task.WhenAny(server._ready.Task, exited, Task.Delay(ReadyTimeout));
        if (first != server._ready.Task)
        {
            var state = server._process.HasExited ? $"exited with {server._process.ExitCode}" : "not ready after 60 s";
            await server.DisposeAsync();
            throw new InvalidOperationException($"keyhub server {state}.\nstdout:\n{server.Output}\nstderr:\n{server.Errors}");
        }
        return server;
    }

    /// <summary>Starts a server of a deployment sealed with shares and waits for its <c>Keyhub sealed:</c> line.</summary>
    public static async Task<KeyhubProcess> StartSealedServerAsync(string[] arguments)
    {
        var server = Start(arguments);
        var first = await Task.WhenAny(server._sealed.Task, server._process.WaitForExitAsync(), Task.Delay(ReadyTimeout));
        if (first != server._sealed.Task)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"keyhub server did not start sealed.\nstdout:\n{server.Output}\nstderr:\n{server.Errors}");
        }
        return server;
    }

    /// <summary>Waits for the <c>Keyhub ready</c> line (after an unseal).</summary>
    public async Task WaitForReadyAsync()
    {
        if (await Task.WhenAny(_ready.Task, Task.Delay(ReadyTimeout)) != _ready.Task)
        {
            throw new InvalidOperationException($"keyhub server not ready.\nstdout:\n{Output}\nstderr:\n{Errors}");
        }
    }

    /// <summary>Runs a command to completion (60 s at most) and returns its exit code and output.</summary>
    public static async Task<CommandResult> RunAsync(params string[] arguments)
    {
        await using var command = Start(arguments);
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        await command._process.WaitForExitAsync(timeout.Token);
        // WaitForExitAsync returns after the redirected streams reached their end.
        return new CommandResult(command._process.ExitCode, command.Output, command.Errors);
    }

    /// <summary>Waits for the process to end on its own (e.g. a server that refused to start).</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>
    /// Environment variables for the processes this test (its async flow) starts, e.g. an HSM PIN; KEYHUB_* variables
    /// of the test process itself are never passed on.
    /// </summary>
    public static IDisposable WithEnvironment(IReadOnlyDictionary<string, string> variables)
    {
        var previous = s_environment.Value;
        s_environment.Value = variables;
        return new Restore(() => s_environment.Value = previous);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    private static KeyhubProcess Start(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "keyhub.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("KEYHUB_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(variable);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in s_environment.Value ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var wrapper = new KeyhubProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            wrapper._output.Enqueue(e.Data);
            if (e.Data == "Keyhub ready")
            {
                wrapper._ready.TrySetResult();
            }
            if (e.Data.StartsWith("Keyhub sealed:", StringComparison.Ordinal))
            {
                wrapper._sealed.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                wrapper._errors.Enqueue(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

internal sealed record CommandResult(int ExitCode, string Output, string Errors);
