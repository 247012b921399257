using Keyhub.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Keyhub.Commands;

internal static class ServerCommand
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var dev = args.Flag("dev");
        var configFile = args.Optional("config");
        var data = args.Optional("data");
        var port = args.OptionalInt("port");
        args.RejectUnknown();

        var options = LoadOptions(configFile);
        options = options with
        {
            Dev = dev || options.Dev,
            DataDirectory = data ?? options.DataDirectory,
            Port = port ?? options.Port,
        };
        // A folder made by `keyhub operator init` carries its own certificate; configured files win.
        var tls = Path.Combine(options.DataDirectory, "tls");
        if (!options.Dev && options.TlsCertificatePath is null && File.Exists(Path.Combine(tls, "server.pem")))
        {
            options = options with { TlsCertificatePath = Path.Combine(tls, "server.pem"), TlsKeyPath = Path.Combine(tls, "server-key.pem") };
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        // A deployment sealed with shares first serves only health, seal status and unseal, until a threshold
        // of shares arrives; sealing it while running (the Owner's POST /keyhub/v1/seal) comes back here.
        var shamir = options.Dev ? null : await KeyhubRuntime.ReadShamirConfigAsync(Path.GetFullPath(options.DataDirectory), stop.Token);
        while (true)
        {
            if (shamir is not null)
            {
                options = options with { Shamir = await SealedHost.WaitForUnsealAsync(options, shamir, Console.Out, stop.Token) };
            }
            await using (var server = await KeyhubServer.StartAsync(options, Console.Out, cancellationToken: stop.Token))
            {
                var sealRequested = server.SealRequested;
                var finished = await Task.WhenAny(server.App.WaitForShutdownAsync(stop.Token), sealRequested);
                if (finished != sealRequested)
                {
                    break;
                }
                // Let the 202 reach the Owner before the port closes.
                await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
            }
            options.Shamir?.Dispose();
            Console.WriteLine("Keyhub sealed by the Owner");
        }
        options.Shamir?.Dispose();
        return 0;
    }

    /// <summary>The <c>Keyhub</c> section of the config file, overridden by <c>KEYHUB__*</c> environment variables.</summary>
    internal static KeyhubServerOptions LoadOptions(string? configFile)
    {
        var configuration = new ConfigurationBuilder();
        if (configFile is not null)
        {
            configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }
        // KEYHUB__PORT=9443 sets Keyhub:Port (the double underscore is the section separator).
        configuration.AddEnvironmentVariables();
        return configuration.Build().GetSection("Keyhub").Get<KeyhubServerOptions>() ?? new KeyhubServerOptions();
    }
}
