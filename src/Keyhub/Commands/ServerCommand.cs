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

        var configuration = new ConfigurationBuilder();
        if (configFile is not null)
        {
            configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }
        configuration.AddEnvironmentVariables("KEYHUB_");
        var options = configuration.Build().GetSection("Keyhub").Get<KeyhubServerOptions>() ?? new KeyhubServerOptions();
        options = options with
        {
            Dev = dev || options.Dev,
            DataDirectory = data ?? options.DataDirectory,
            Port = port ?? options.Port,
        };

        using var stop = new CancellationTokenSource();
        await using var server = await KeyhubServer.StartAsync(options, Console.Out, cancellationToken: stop.Token);
        await server.App.WaitForShutdownAsync(stop.Token);
        return 0;
    }
}
