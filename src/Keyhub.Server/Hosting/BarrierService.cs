using Keyhub.Server.Http;

namespace Keyhub.Server.Hosting;

/// <summary>
/// Keeps the barrier within its policy on every tick: rotates when the active term has encrypted its quota of
/// records or grown old, then re-encrypts records still under older terms, in pages, until a full pass finds
/// none — after which an operator may retire those terms.
/// </summary>
internal sealed class BarrierService(KeyhubRuntime runtime, TimeProvider time, KeyhubServerOptions options, ILogger<BarrierService> logger)
    : PeriodicService(time, options.BarrierInterval)
{
    internal const int PageSize = 500;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var seal = runtime.Seal;
        if (seal.IsSealed)
        {
            return;
        }
        if (await seal.RotateIfDueAsync(cancellationToken) is { } term)
        {
            Log.BarrierRotated(logger, term);
        }
        if (!seal.ReencryptionPending)
        {
            return;
        }
        var pass = await seal.ReencryptToEndAsync(PageSize, cancellationToken);
        if (pass.Unreadable > 0)
        {
            Log.ReencryptionUnreadable(logger, pass.Unreadable);
        }
        if (pass.Reencrypted > 0)
        {
            Log.Reencrypted(logger, pass.Reencrypted, seal.ActiveTerm);
        }
    }

    protected override void ReportFailure(Exception exception) => Log.BarrierMaintenanceFailed(logger, exception);
}
