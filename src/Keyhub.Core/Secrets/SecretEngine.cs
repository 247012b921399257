using System.Text;
using Keyhub.Core.Objects;
using Keyhub.Core.Seal;
using Keyhub.Core.Storage;
using Keyhub.Core.Vaults;
using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Secrets;

/// <summary>
/// Secrets: Azure's rules (value size, content type and tag limits, disabled versions refused) on top
/// of the shared versioned-object store.
/// </summary>
public sealed class SecretEngine(IRecordStore store, SealManager seal, TimeProvider time)
{
    public const int MaxValueBytes = 25_600;
    public const int MaxBackupVersions = VersionedObjectStore<SecretVersionPayload>.MaxBackupVersions;

    private readonly VersionedObjectStore<SecretVersionPayload> _objects = new(store, seal, time, ObjectKind.Secret);

    public async Task<SecretVersion> SetAsync(VaultProperties vault, string name, NewSecret secret, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, "secret");
        ValidateValue(secret.Value);
        SecretValidation.ValidateProperties(secret.ContentType, secret.Tags);
        await RefuseManagedAsync(vault, name, cancellationToken);
        var payload = new SecretVersionPayload(secret.Value, secret.ContentType, secret.Tags?.ToDictionary(), secret.NotBefore?.ToUnixTimeSeconds(), secret.Expires?.ToUnixTimeSeconds());
        return ToSecret(await _objects.AddVersionAsync(vault, name, payload, secret.Enabled ?? true, secret.Expires, cancellationToken), includeValue: true);
    }

    /// <summary>Reads a version with its value; a disabled version is refused as Azure does.</summary>
    public async Task<SecretVersion> GetAsync(VaultProperties vault, string name, string? version, CancellationToken cancellationToken)
    {
        var found = await _objects.GetAsync(vault, name, version, cancellationToken);
        if (!found.Enabled)
        {
            throw E.Forbidden("Operation get is not allowed on a disabled secret.", "SecretDisabled");
        }
        return ToSecret(found, includeValue: true);
    }

    public async Task<SecretVersion> UpdateAsync(VaultProperties vault, string name, string? version, SecretPropertiesUpdate update, CancellationToken cancellationToken)
    {
        SecretValidation.ValidateProperties(update.ContentType, update.Tags);
        await RefuseManagedAsync(vault, name, cancellationToken);
        return await UpdateCoreAsync(vault, name, version, update, cancellationToken);
    }

    /// <summary>A certificate's secret follows the certificate's enabled flag, dates and tags.</summary>
    internal Task<SecretVersion> UpdateManagedAsync(VaultProperties vault, string name, string version, SecretPropertiesUpdate update, CancellationToken cancellationToken) =>
        UpdateCoreAsync(vault, name, version, update, cancellationToken);

    private async Task<SecretVersion> UpdateCoreAsync(VaultProperties vault, string name, string? version, SecretPropertiesUpdate update, CancellationToken cancellationToken)
    {
        var updated = await _objects.UpdateAsync(vault, name, version, current =>
        {
            var payload = current.Payload with
            {
                ContentType = update.ContentType ?? current.Payload.ContentType,
                Tags = update.Tags?.ToDictionary() ?? current.Payload.Tags,
                NotBefore = update.NotBefore?.ToUnixTimeSeconds() ?? current.Payload.NotBefore,
                Expires = update.Expires?.ToUnixTimeSeconds() ?? current.Payload.Expires,
            };
            return new VersionChange<SecretVersionPayload>(
                payload,
                update.Enabled ?? current.Enabled,
                payload.Expires is { } exp ? DateTimeOffset.FromUnixTimeSeconds(exp) : null);
        }, cancellationToken);
        return ToSecret(updated, includeValue: false);
    }

    /// <summary>Live secrets, each described by its latest version (no values).</summary>
    public async Task<Page<SecretVersion>> ListAsync(VaultProperties vault, string? after, int limit, CancellationToken cancellationToken) =>
        Map(await _objects.ListAsync(vault, after, limit, cancellationToken), v => ToSecret(v, includeValue: false));

    public async Task<Page<SecretVersion>> ListVersionsAsync(VaultProperties vault, string name, string? after, int limit, CancellationToken cancellationToken) =>
        Map(await _objects.ListVersionsAsync(vault, name, after, limit, cancellationToken), v => ToSecret(v, includeValue: false));

    public async Task<DeletedSecret> DeleteAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        await RefuseManagedAsync(vault, name, cancellationToken);
        return ToDeleted(await _objects.DeleteAsync(vault, name, cancellationToken));
    }

    public async Task<DeletedSecret> GetDeletedAsync(VaultProperties vault, string name, CancellationToken cancellationToken) =>
        ToDeleted(await _objects.GetDeletedAsync(vault, name, cancellationToken));

    public async Task<Page<DeletedSecret>> ListDeletedAsync(VaultProperties vault, string? after, int limit, CancellationToken cancellationToken) =>
        Map(await _objects.ListDeletedAsync(vault, after, limit, cancellationToken), ToDeleted);

    public async Task<SecretVersion> RecoverAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        await RefuseManagedAsync(vault, name, cancellationToken);
        return ToSecret(await _objects.RecoverAsync(vault, name, cancellationToken), includeValue: false);
    }

    public async Task PurgeAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        await RefuseManagedAsync(vault, name, cancellationToken);
        await _objects.PurgeAsync(vault, name, cancellationToken);
    }

    /// <summary>Adds a certificate's secret version under the certificate's version id.</summary>
    internal async Task<SecretVersion> AddManagedAsync(
        VaultProperties vault, string name, string versionId, string value, string contentType, bool enabled,
        DateTimeOffset? notBefore, DateTimeOffset? expires, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken)
    {
        var payload = new SecretVersionPayload(value, contentType, tags?.ToDictionary(), notBefore?.ToUnixTimeSeconds(), expires?.ToUnixTimeSeconds(), Managed: true);
        return ToSecret(await _objects.AddVersionAsync(vault, name, payload, enabled, expires, versionId, cancellationToken), includeValue: false);
    }

    internal Task DeleteManagedAsync(VaultProperties vault, string name, CancellationToken cancellationToken) => _objects.DeleteAsync(vault, name, cancellationToken);

    internal Task RecoverManagedAsync(VaultProperties vault, string name, CancellationToken cancellationToken) => _objects.RecoverAsync(vault, name, cancellationToken);

    internal Task PurgeManagedAsync(VaultProperties vault, string name, CancellationToken cancellationToken) => _objects.PurgeAsync(vault, name, cancellationToken);

    internal Task<byte[]> BackupManagedAsync(VaultProperties vault, string name, CancellationToken cancellationToken) => _objects.BackupAsync(vault, name, cancellationToken);

    internal async Task RestoreManagedAsync(VaultProperties vault, byte[] blob, CancellationToken cancellationToken) =>
        await _objects.RestoreAsync(vault, blob, p => ValidateValue(p.Value), cancellationToken);

    /// <summary>Whether an ordinary (not a certificate's) secret of this name exists, live or deleted.</summary>
    internal async Task<bool> IsUnmanagedAsync(VaultProperties vault, string name, CancellationToken cancellationToken) =>
        await _objects.PeekLatestAsync(vault, name, cancellationToken) is { Managed: false };

    /// <summary>A certificate's secret is changed only through the certificate (docs/certificates-wire.md §5).</summary>
    private async Task RefuseManagedAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        if ((await _objects.PeekLatestAsync(vault, name, cancellationToken))?.Managed == true)
        {
            throw E.Forbidden($"Secret {name} belongs to certificate {name}: change it through the certificates API.", "ManagedObject");
        }
    }

    /// <summary>Purges deleted secrets whose retention has ended, in every vault. Safe to run on several nodes.</summary>
    public Task<int> PurgeExpiredAsync(CancellationToken cancellationToken) => _objects.PurgeExpiredAsync(cancellationToken);

    public async Task<byte[]> BackupAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        await RefuseManagedAsync(vault, name, cancellationToken);
        return await _objects.BackupAsync(vault, name, cancellationToken);
    }

    public async Task<SecretVersion> RestoreAsync(VaultProperties vault, byte[] blob, CancellationToken cancellationToken) =>
        ToSecret(await _objects.RestoreAsync(vault, blob, p =>
        {
            ValidateValue(p.Value);
            if (p.Managed)
            {
                throw E.BadParameter("This backup holds a certificate's secret; restore the certificate's backup instead.");
            }
        }, cancellationToken), includeValue: false);

    private static Page<TOut> Map<TIn, TOut>(Page<TIn> page, Func<TIn, TOut> map) => new(page.Items.Select(map).ToList(), page.ContinueAfter);

    private static DeletedSecret ToDeleted(DeletedObject<SecretVersionPayload> deleted) =>
        new(ToSecret(deleted.Latest, includeValue: false), deleted.DeletedDate, deleted.ScheduledPurgeDate);

    private static SecretVersion ToSecret(ObjectVersion<SecretVersionPayload> version, bool includeValue) => new()
    {
        Name = version.Name,
        Version = version.Version,
        Value = includeValue ? version.Payload.Value : null,
        ContentType = version.Payload.ContentType,
        Tags = version.Payload.Tags,
        Enabled = version.Enabled,
        NotBefore = version.Payload.NotBefore is { } nbf ? DateTimeOffset.FromUnixTimeSeconds(nbf) : null,
        Expires = version.Payload.Expires is { } exp ? DateTimeOffset.FromUnixTimeSeconds(exp) : null,
        Created = version.Created,
        Updated = version.Updated,
        Managed = version.Payload.Managed,
    };

    private static void ValidateValue(string? value)
    {
        if (value is null)
        {
            throw E.BadParameter("The secret value is required.");
        }
        if (Encoding.UTF8.GetByteCount(value) > MaxValueBytes)
        {
            throw E.BadParameter($"The secret value exceeds the maximum size of {MaxValueBytes} bytes.");
        }
    }
}
