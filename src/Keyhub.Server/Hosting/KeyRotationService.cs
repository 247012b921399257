using Keyhub.Core.Keys;
using Keyhub.Core.Vaults;
using Keyhub.Server.Http;

namespace Keyhub.Server.Hosting;

/// <summary>
/// Rotates keys by their rotation policies and records Notify events on every tick — not lazily on a
/// later request, so a key nobody touches still rotates on time.
/// </summary>
internal sealed class KeyRotationService(KeyEngine keys, VaultRegistry vaults, TimeProvider time, KeyhubServerOptions options, ILogger<KeyRotationService> logger)
    : PeriodicService(time, options.RotationInterval)
{
    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var rotated = await keys.ApplyRotationPoliciesAsync(await vaults.ListAsync(cancellationToken), cancellationToken);
        if (rotated > 0)
        {
            Log.Rotated(logger, rotated);
        }
    }

    protected override void ReportFailure(Exception exception) => Log.RotationFailed(logger, exception);
}
