using System.Buffers.Text;
using System.Net;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyhub.Core.Seal;
using Microsoft.AspNetCore.Hosting;
using Keyhub.Server.Http;

namespace Keyhub.Server.Hosting;

/// <summary>
/// What a deployment sealed with shares (or an HSM deployment the HSM could not unseal) serves until enough shares arrive: on the server's own port and
/// certificate, health, seal status and unseal only; every other request gets 503 with the Azure error body.
/// It reads nothing from the database (the barrier is shut), so it needs only the recorded configuration.
/// Once the threshold is met it stops and hands the unsealed seal to the full server.
/// </summary>
public static class SealedHost
{
    /// <summary>
    /// Serves the sealed endpoints until <paramref name="seal"/> (unseal shares, or an HSM deployment's recovery shares)
    /// has a threshold of shares; <paramref name="reason"/> says why an HSM deployment is waiting for people.
    /// </summary>
    public static async Task<ShamirSeal> WaitForUnsealAsync(KeyhubServerOptions options, ShamirSeal seal, string? reason, TextWriter output, CancellationToken cancellationToken)
    {
        var config = seal.Config;
        var unsealed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var certificate = KeyhubServer.LoadCertificate(
            options.TlsCertificatePath ?? throw new InvalidOperationException("A sealed deployment needs its TLS certificate (TlsCertificatePath)."),
            options.TlsKeyPath ?? throw new InvalidOperationException("A sealed deployment needs its TLS key (TlsKeyPath)."));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 16 * 1024;
            void Https(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen) => listen.UseHttps(https =>
            {
                https.ServerCertificate = certificate;
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            });
            if (options.LoopbackOnly)
            {
                kestrel.Listen(IPAddress.Loopback, options.Port, Https);
            }
            else
            {
                kestrel.ListenAnyIP(options.Port, Https);
            }
        });
        await using var app = builder.Build();
        // A stop signal (SIGTERM, Ctrl+C) while sealed ends the wait instead of leaving it hanging.
        app.Lifetime.ApplicationStopping.Register(() => unsealed.TrySetCanceled());
        app.MapGet("/keyhub/v1/health", () => Status(seal, reason));
        // The probe the full server answers too (`/healthz`: up, sealed or not), so a load balancer sees a sealed node as up.
        app.MapGet("/healthz", () => Results.Json(new { status = "ok", @sealed = true }));
        app.MapGet("/keyhub/v1/seal", () => Status(seal, reason));
        app.MapPost("/keyhub/v1/unseal", async (HttpContext context) =>
        {
            byte[] share;
            try
            {
                using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                var text = body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("share", out var value) && value.ValueKind == JsonValueKind.String
                    ? value.GetString()!
                    : throw new FormatException();
                share = Base64Url.DecodeFromChars(text.Trim().TrimEnd('='));
            }
            catch (Exception ex) when (ex is JsonException or FormatException or BadHttpRequestException)
            {
                return Error(400, "BadParameter", "The body is {\"share\": \"<an unseal share as printed by keyhub operator init>\"}.");
            }
            try
            {
                if (seal.Submit(share).Complete)
                {
                    unsealed.TrySetResult();
                }
                return Status(seal, reason);
            }
            catch (ArgumentException ex)
            {
                return Error(400, "BadParameter", ex.Message);
            }
        });
        app.MapFallback(() => Error(503, "ServiceUnavailable", "Keyhub is sealed; only health, seal status and unseal requests are answered."));
        await app.StartAsync(cancellationToken);
        if (reason is not null)
        {
            output.WriteLine($"Keyhub stays sealed: {reason}");
        }
        var kind = seal.SharesOfRootKey ? "recovery" : "unseal";
        output.WriteLine($"Keyhub sealed: waiting for {config.Threshold} of {config.Shares} {kind} shares on port {options.Port} (keyhub operator unseal)");
        try
        {
            await unsealed.Task.WaitAsync(cancellationToken);
            // Let the response that completed the threshold go out before the port is handed over.
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
        catch
        {
            seal.Dispose();
            throw;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
        output.WriteLine("Keyhub unsealed");
        return seal;
    }

    private static IResult Status(ShamirSeal seal, string? reason)
    {
        var progress = seal.Progress;
        return JsonResponse.Ok(new JsonObject
        {
            ["sealed"] = !progress.Complete,
            ["type"] = seal.Kind,
            ["reason"] = reason,
            ["threshold"] = progress.Threshold,
            ["shares"] = seal.Config.Shares,
            ["progress"] = progress.Complete ? progress.Threshold : progress.Received,
        });
    }

    private static IResult Error(int status, string code, string message) =>
        JsonResponse.Ok(new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }, status);
}
