using Keyhub.Core.Keys;
using Keyhub.Core.Secrets;
using Keyhub.Server.Http;

namespace Keyhub.Server.Hosting;

/// <summary>
/// Purges soft-deleted objects whose retention has ended. Runs on <see cref="TimeProvider"/> so tests
/// move the clock instead of waiting; safe on several nodes (a purge of an already purged name is a no-op).
/// </summary>
internal sealed class PurgeService(SecretEngine secrets, KeyEngine keys, TimeProvider time, KeyhubServerOptions options, ILogger<PurgeService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.PurgeInterval, time);
        do
        {
            try
            {
                var purged = await secrets.PurgeExpiredAsync(stoppingToken) + await keys.PurgeExpiredAsync(stoppingToken);
                if (purged > 0)
                {
                    Log.Purged(logger, purged);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.PurgeFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
