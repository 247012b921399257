namespace Keyhub.Server.Hosting;

/// <summary>
/// Background work that runs at start and then every <c>interval</c> of <see cref="TimeProvider"/> time,
/// so tests move a fake clock instead of waiting. A failed run is reported and the next one still happens.
/// </summary>
internal abstract class PeriodicService(TimeProvider time, TimeSpan interval) : BackgroundService
{
    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected abstract void ReportFailure(Exception exception);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ReportFailure(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
