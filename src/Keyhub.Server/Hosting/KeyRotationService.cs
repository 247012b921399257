using Keyhub.Core.Keys;
using Keyhub.Core.Vaults;
using Keyhub.Server.Http;

namespace Keyhub.Server.Hosting;

/// <summary>
/// Rotates keys by their rotation policies and records Notify events, on <see cref="TimeProvider"/>
/// ticks — not lazily on a later request, so a key nobody touches still rotates on time.
/// </summary>
internal sealed class KeyRotationService(KeyEngine keys, VaultRegistry vaults, TimeProvider time, KeyhubServerOptions options, ILogger<KeyRotationService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.RotationInterval, time);
        do
        {
            try
            {
                var rotated = await keys.ApplyRotationPoliciesAsync(await vaults.ListAsync(stoppingToken), stoppingToken);
                if (rotated > 0)
                {
                    Log.Rotated(logger, rotated);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.RotationFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
