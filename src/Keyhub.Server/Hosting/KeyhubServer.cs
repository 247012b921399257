using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Keyhub.Core.Authorization;
using Keyhub.Core.Identity;
using Keyhub.Core.Seal;
using Keyhub.Core.Secrets;
using Keyhub.Core.Vaults;
using Keyhub.Server.Dev;
using Keyhub.Server.Certificates;
using Keyhub.Server.Http;
using Keyhub.Server.Identity;
using Keyhub.Server.Keys;
using Keyhub.Server.Management;
using Keyhub.Server.Secrets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Keyhub.Server.Hosting;

/// <summary>
/// A running Keyhub: HTTPS listeners (TLS 1.2+ only, no plain HTTP), the data plane, the token
/// endpoint and background services over one data folder. The command line and the tests start it
/// the same way.
/// </summary>
public sealed class KeyhubServer : IAsyncDisposable
{
    private readonly DataDirectoryLock _lock;
    private readonly TokenService _tokens;
    private readonly DevCredentialsFile? _devCredentials;
    private readonly X509Certificate2 _certificate;
    private readonly string _pidFile;

    private KeyhubServer(WebApplication app, KeyhubRuntime runtime, DataDirectoryLock directoryLock, TokenService tokens, X509Certificate2 certificate, string pidFile, DevCredentialsFile? dev)
    {
        App = app;
        Runtime = runtime;
        _lock = directoryLock;
        _tokens = tokens;
        _certificate = certificate;
        _pidFile = pidFile;
        _devCredentials = dev;
    }

    public WebApplication App { get; }

    /// <summary>Completes when the Owner seals the running server (Shamir deployments only).</summary>
    public Task SealRequested => App.Services.GetRequiredService<SealSwitch>().Requested;
    public KeyhubRuntime Runtime { get; }
    /// <summary>Dev mode's credentials as currently written (vaults created at run time included).</summary>
    public DevCredentials? DevCredentials => _devCredentials?.Current;

    public static async Task<KeyhubServer> StartAsync(
        KeyhubServerOptions options,
        TextWriter output,
        TimeProvider? time = null,
        Action<ILoggingBuilder>? configureLogging = null,
        CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        options = WithDefaults(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid Keyhub configuration:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => " - " + p)));
        }
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        var directoryLock = DataDirectoryLock.Acquire(dataDirectory);
        KeyhubRuntime? runtime = null;
        try
        {
            var pidFile = Path.Combine(dataDirectory, "keyhub.pid");
            Core.IO.PrivateFile.WriteAtomically(pidFile, System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)), ownerOnly: false);

            DevTlsFiles? devTls = null;
            X509Certificate2 certificate;
            if (options.Dev)
            {
                var names = options.DevCertificateNames.ToList();
                if (options.BaseDomain is { } domain)
                {
                    names.Add(domain);
                    names.Add("*." + domain);
                }
                devTls = DevCertificates.Ensure(dataDirectory, names, time);
                certificate = LoadCertificate(devTls.ServerCertificate, devTls.ServerKey);
            }
            else
            {
                certificate = LoadCertificate(options.TlsCertificatePath!, options.TlsKeyPath!);
            }

            runtime = await KeyhubRuntime.OpenAsync(dataDirectory, options.TenantId, time, options.Seal, cancellationToken, options.Barrier, options.HsmToken is { } token ? new Keyhub.Server.Hsm.Pkcs11Keys(token) : null);
            var portVaults = new Dictionary<int, VaultProperties>();
            var namedVaults = new Dictionary<string, VaultProperties>(StringComparer.OrdinalIgnoreCase);
            foreach (var binding in options.Vaults)
            {
                if (binding.Sku == VaultProperties.PremiumSku && runtime.Hsm is null)
                {
                    throw new InvalidOperationException($"Vault '{binding.Name}' is premium (HSM-backed), which needs a deployment with an HSM.");
                }
                var vault = await runtime.Vaults.EnsureAsync(
                    new VaultProperties { Name = binding.Name, RetentionDays = binding.RetentionDays, PurgeProtection = binding.PurgeProtection, Sku = binding.Sku },
                    cancellationToken);
                if (binding.Port is { } port)
                {
                    portVaults[port] = vault;
                }
                else
                {
                    namedVaults[vault.Name] = vault;
                }
            }
            // Vaults created at run time (through the management API) are bound the same way after a restart.
            var configured = options.Vaults.Select(v => v.Name.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
            foreach (var vault in await runtime.Vaults.ListAsync(cancellationToken))
            {
                if (configured.Contains(vault.Name))
                {
                    continue;
                }
                if (vault.Port is { } port)
                {
                    portVaults.TryAdd(port, vault);
                }
                else if (options.BaseDomain is not null)
                {
                    namedVaults[vault.Name] = vault;
                }
            }
            foreach (var declared in options.Principals)
            {
                var principal = await runtime.Principals.UpsertDeclaredAsync(declared.ClientId, declared.DisplayName, declared.SecretHash, declared.Enabled, cancellationToken);
                foreach (var role in declared.Roles)
                {
                    await runtime.RoleAssignments.EnsureAsync(principal.ObjectId, role.Role, role.Scope, cancellationToken);
                }
            }
            var addressing = new VaultAddressing(portVaults, namedVaults, options.BaseDomain);
            var signingKeys = await runtime.SigningKeys.LoadAllAsync(cancellationToken);
            var tokens = new TokenService(
                signingKeys,
                runtime.Principals,
                time,
                new TokenOptions { TenantId = runtime.Deployment.TenantId, AuthorityOrigin = options.AuthorityOrigin! });

            (string ClientId, string ClientSecret)? admin = options.Dev
                ? await DevBootstrap.EnsureAdminAsync(runtime, dataDirectory, cancellationToken)
                : null;

            DevCredentialsFile? devFile = null;
            if (options.Dev && devTls is not null && admin is { } a)
            {
                devFile = new DevCredentialsFile(
                    dataDirectory,
                    new DevCredentials
                    {
                        TenantId = runtime.Deployment.TenantId,
                        AuthorityHost = options.AuthorityOrigin!,
                        ClientId = a.ClientId,
                        ClientSecret = a.ClientSecret,
                        CaCertificate = Path.Combine(dataDirectory, "dev", "ca.pem"),
                        Vaults = portVaults.ToDictionary(p => p.Value.Name, p => $"https://localhost:{p.Key}"),
                    },
                    await File.ReadAllTextAsync(devTls.CaCertificate, cancellationToken));
            }
            var listeners = new DynamicListeners(
                devTls?.ServerCertificate ?? options.TlsCertificatePath!,
                devTls?.ServerKey ?? options.TlsKeyPath!,
                options.LoopbackOnly,
                new HashSet<int>(portVaults.Keys) { options.Port });
            var app = Build(options, runtime, addressing, tokens, certificate, listeners, devFile, time, configureLogging);
            await app.StartAsync(cancellationToken);

            if (devFile is not null)
            {
                // Written once the listeners are bound, so a reader never finds a port that does not answer yet.
                devFile.Write();
                await output.WriteAsync(DevBootstrap.ConnectionHelp(devFile.Current));
            }
            await output.WriteLineAsync("Keyhub ready");
            await output.FlushAsync(cancellationToken);
            return new KeyhubServer(app, runtime, directoryLock, tokens, certificate, pidFile, devFile);
        }
        catch
        {
            if (runtime is not null)
            {
                await runtime.DisposeAsync();
            }
            directoryLock.Dispose();
            throw;
        }
    }

    private static KeyhubServerOptions WithDefaults(KeyhubServerOptions options)
    {
        if (options.Dev)
        {
            var vaults = options.Vaults.ToList();
            if (!vaults.Any(v => string.Equals(v.Name, DevBootstrap.HubVault, StringComparison.OrdinalIgnoreCase)))
            {
                vaults.Insert(0, new VaultBinding { Name = DevBootstrap.HubVault, Port = options.Port });
            }
            options = options with { Vaults = vaults, LoopbackOnly = true };
        }
        return options with { AuthorityOrigin = (options.AuthorityOrigin ?? $"https://localhost:{options.Port}").TrimEnd('/') };
    }

    internal static X509Certificate2 LoadCertificate(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        // Re-import so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    private static WebApplication Build(
        KeyhubServerOptions options,
        KeyhubRuntime runtime,
        VaultAddressing addressing,
        TokenService tokens,
        X509Certificate2 certificate,
        DynamicListeners listeners,
        DevCredentialsFile? devFile,
        TimeProvider time,
        Action<ILoggingBuilder>? configureLogging)
    {
        var vaultPorts = addressing.PortVaults.Keys;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }
        else
        {
            configureLogging(builder.Logging);
        }
        var ports = new SortedSet<int>(vaultPorts) { options.Port };
        var listenerConfiguration = new ConfigurationBuilder().Add(listeners.Source).Build();
        listeners.Attach(listenerConfiguration);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Endpoints in this configuration are added while running (vaults created with a port).
            kestrel.Configure(listenerConfiguration, reloadOnChange: true);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = JsonBody.RestoreMaxBytes + (64 * 1024);
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            foreach (var port in ports)
            {
                void Https(ListenOptions listen) => listen.UseHttps(https =>
                {
                    https.ServerCertificate = certificate;
                    https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                });
                if (options.LoopbackOnly)
                {
                    kestrel.Listen(IPAddress.Loopback, port, Https);
                    if (System.Net.Sockets.Socket.OSSupportsIPv6)
                    {
                        kestrel.Listen(IPAddress.IPv6Loopback, port, Https);
                    }
                }
                else
                {
                    kestrel.ListenAnyIP(port, Https);
                }
            }
        });
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(time);
        services.AddSingleton(runtime);
        services.AddSingleton(runtime.Seal);
        services.AddSingleton(runtime.Vaults);
        services.AddSingleton(runtime.Secrets);
        services.AddSingleton(runtime.Keys);
        services.AddSingleton(runtime.Certificates);
        services.AddSingleton(new SealSwitch());
        services.AddSingleton(runtime.Principals);
        services.AddSingleton(runtime.RoleAssignments);
        services.AddSingleton(runtime.Access);
        services.AddSingleton(runtime.Ca);
        services.AddSingleton(addressing);
        services.AddSingleton(tokens);
        services.AddSingleton(new FailedAuthenticationLimiter(time));
        services.AddSingleton(runtime.Groups);
        services.AddSingleton(runtime.Assertions);
        services.AddSingleton(listeners);
        if (devFile is not null)
        {
            services.AddSingleton(devFile);
        }
        services.AddSingleton(sp => new VaultLifecycle(runtime, addressing, listeners, options, sp.GetService<DevCredentialsFile>()));
        services.AddHostedService<PurgeService>();
        services.AddHostedService<KeyRotationService>();
        services.AddHostedService<BarrierService>();

        var app = builder.Build();
        app.UseMiddleware<DataPlaneMiddleware>();
        // Routing runs after the pipeline above, which may rewrite the path (the JS client's /keys/{name}//{op}).
        app.UseRouting();
        app.MapGet("/healthz", (SealManager seal) => Results.Json(new { status = "ok", @sealed = seal.IsSealed }));
        app.MapGet("/readyz", (SealManager seal) => seal.IsSealed
            ? Results.Json(new { status = "sealed" }, statusCode: 503)
            : Results.Json(new { status = "ready" }));
        app.MapTokenEndpoints();
        app.MapSecretEndpoints();
        app.MapKeyEndpoints();
        app.MapCertificateEndpoints();
        app.MapManagementEndpoints();
        app.MapFallback(context => AzureError.WriteAsync(context, 404, "NotFound", "The requested resource or operation does not exist."));
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await App.StopAsync();
        }
        finally
        {
            await App.DisposeAsync();
            foreach (var key in _tokens.ReplaceKeys([]))
            {
                key.Dispose();
            }
            _certificate.Dispose();
            await Runtime.DisposeAsync();
            File.Delete(_pidFile);
            _lock.Dispose();
        }
    }
}
