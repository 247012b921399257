using Keyhub.Core.Keys;
using Keyhub.Core.Vaults;
using Keyhub.Server.Http;

namespace Keyhub.Server.Hosting;

/// <summary>
/// Rotates keys by their rotation policies and renews certificates by their lifetime actions (with
/// Notify and EmailContacts recorded as events) on every tick — not lazily on a later request, so an
/// object nobody touches still rotates or renews on time.
/// </summary>
internal sealed class KeyRotationService(
    KeyEngine keys, Keyhub.Core.Certificates.CertificateEngine certificates, VaultRegistry vaults, TimeProvider time, KeyhubServerOptions options, ILogger<KeyRotationService> logger)
    : PeriodicService(time, options.RotationInterval)
{
    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var live = await vaults.ListAsync(cancellationToken);
        var rotated = await keys.ApplyRotationPoliciesAsync(live, cancellationToken)
            + await certificates.ApplyLifetimeActionsAsync(live, cancellationToken);
        if (rotated > 0)
        {
            Log.Rotated(logger, rotated);
        }
    }

    protected override void ReportFailure(Exception exception) => Log.RotationFailed(logger, exception);
}
