using Keyhub.Core.Seal;
using Keyhub.Server.Hosting;
using Keyhub.Server.Hsm;
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
        // of shares arrives; one sealed by an HSM unseals itself, or waits for recovery shares if the HSM fails.
        // Sealing it while running (the Owner's POST /keyhub/v1/seal) comes back here.
        var settings = options.Dev ? null : await KeyhubRuntime.ReadSealSettingsAsync(Path.GetFullPath(options.DataDirectory), stop.Token);
        string? sealedBy = null;
        while (true)
        {
            options = await UnsealAsync(options, settings, sealedBy, stop.Token);
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
            Forget(options);
            sealedBy = "sealed by the Owner; restart the server to unseal with the HSM, or give recovery shares";
            Console.WriteLine("Keyhub sealed by the Owner");
        }
        Forget(options);
        return 0;
    }

    private static async Task<KeyhubServerOptions> UnsealAsync(KeyhubServerOptions options, SealSettings? settings, string? sealedBy, CancellationToken cancellationToken)
    {
        switch (settings?.Kind)
        {
            case SealSettings.ShamirKind:
                var shamir = await SealedHost.WaitForUnsealAsync(options, new ShamirSeal(settings.Shares), null, Console.Out, cancellationToken);
                return options with { Seal = new SealSetup(shamir), HsmToken = OpenPremiumToken(options) };
            case SealSettings.HsmKind:
                var hsm = await HsmUnseal.TryAsync(options, settings, cancellationToken);
                if (hsm.Seal is not null && sealedBy is null)
                {
                    Console.WriteLine($"Keyhub unsealed by the HSM (token '{settings.Hsm!.TokenLabel}')");
                    return options with { Seal = new SealSetup(hsm.Seal), HsmToken = hsm.Token };
                }
                var recovery = await SealedHost.WaitForUnsealAsync(options, ShamirSeal.ForRecovery(settings.Shares), sealedBy ?? $"could not unseal with the HSM: {hsm.Reason}", Console.Out, cancellationToken);
                return options with { Seal = new SealSetup(recovery), HsmToken = hsm.Token };
            default:
                return options with { HsmToken = OpenPremiumToken(options) };
        }
    }

    /// <summary>The token configured for premium vaults (Keyhub:Hsm:Library + TokenLabel) of a deployment not sealed by an HSM.</summary>
    private static Keyhub.Pkcs11.Pkcs11Token? OpenPremiumToken(KeyhubServerOptions options)
    {
        if (options.Hsm.Library is not { } library || options.Hsm.TokenLabel is not { } label)
        {
            return null;
        }
        var token = Keyhub.Pkcs11.Pkcs11Token.Open(new Keyhub.Pkcs11.Pkcs11Options(library, label, options.Hsm.ResolvePin()));
        Console.WriteLine($"HSM token '{label}' open for premium vaults");
        return token;
    }

    private static void Forget(KeyhubServerOptions options)
    {
        (options.Seal?.Seal as IDisposable)?.Dispose();
        options.HsmToken?.Dispose();
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
