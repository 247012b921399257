using Keyhub.Core.Keys;
using Keyhub.Core.Secrets;
using Keyhub.Core.Vaults;
using Keyhub.Server.Http;

namespace Keyhub.Server.Hosting;

/// <summary>
/// Purges soft-deleted objects whose retention has ended. Safe on several nodes (a purge of an
/// already purged name is a no-op).
/// </summary>
internal sealed class PurgeService(SecretEngine secrets, KeyEngine keys, Keyhub.Core.Certificates.CertificateEngine certificates, VaultRegistry vaults, KeyhubRuntime runtime, Keyhub.Core.Identity.TokenService tokens, TimeProvider time, KeyhubServerOptions options, ILogger<PurgeService> logger)
    : PeriodicService(time, options.PurgeInterval)
{
    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var purged = await certificates.PurgeExpiredAsync(cancellationToken)
            + await secrets.PurgeExpiredAsync(cancellationToken) + await keys.PurgeExpiredAsync(cancellationToken)
            + await vaults.PurgeExpiredAsync(cancellationToken);
        if (purged > 0)
        {
            Log.Purged(logger, purged);
        }
        // Retired signing keys leave the JWKS when their grace period ends; a rotation made by another
        // node is picked up here too.
        await runtime.SigningKeys.PurgeRetiredAsync(cancellationToken);
        await runtime.Assertions.PurgeExpiredAsync(cancellationToken);
        tokens.ReplaceKeys(await runtime.SigningKeys.LoadAllAsync(cancellationToken));
    }

    protected override void ReportFailure(Exception exception) => Log.PurgeFailed(logger, exception);
}
