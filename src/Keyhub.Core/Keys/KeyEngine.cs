using Keyhub.Core.Objects;
using Keyhub.Core.Seal;
using Keyhub.Core.Secrets;
using Keyhub.Core.Storage;
using Keyhub.Core.Vaults;
using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Keys;

/// <summary>
/// Keys: generation and import, the shared versioned lifecycle, rotation (by hand and by policy) and
/// the cryptographic operations, each checked against the version's enabled flag, validity window and
/// <c>key_ops</c>. Material never leaves except as the public JWK.
/// </summary>
public sealed partial class KeyEngine(IRecordStore store, SealManager seal, TimeProvider time, IHsmKeys? hsm = null)
{
    public const int MaxOperationBytes = 64 * 1024;
    internal const string PolicyKind = "key-policy";
    internal const string EventKind = "key-event";

    private readonly VersionedObjectStore<KeyVersionPayload> _objects = new(store, seal, time, ObjectKind.Key) { AfterPurge = hsm is { } token ? versions => DestroyHsmObjects(token, versions) : null };

    public async Task<KeyVersion> CreateAsync(VaultProperties vault, string name, NewKey request, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, "key");
        var (kty, inHsm) = KeyFactory.ParseKty(request.Kty, vault.IsPremium);
        var ops = ValidateKeyOps(kty, request.KeyOps);
        SecretValidation.ValidateProperties(null, request.Tags);
        await RefuseManagedAsync(vault, name, cancellationToken);
        if (inHsm)
        {
            var (size, curve) = KeyFactory.Normalize(kty, request.KeySize, request.PublicExponent, request.Curve);
            return await AddInHsmAsync(vault, name, kty, size, curve, null, ops, request.Tags, request.Enabled, request.NotBefore, request.Expires, cancellationToken);
        }
        var material = KeyFactory.Generate(kty, request.KeySize, request.PublicExponent, request.Curve);
        return await AddAsync(vault, name, material, ops, request.Tags, request.Enabled, request.NotBefore, request.Expires, cancellationToken);
    }

    public async Task<KeyVersion> ImportAsync(VaultProperties vault, string name, ImportedKey request, CancellationToken cancellationToken)
    {
        Names.ValidateObject(name, "key");
        var (_, hsmKty) = KeyFactory.ParseKty(request.Key.Kty, vault.IsPremium);
        if ((request.Hsm || hsmKty) && !vault.IsPremium)
        {
            throw E.BadParameter("Importing into an HSM needs an HSM-backed (premium) vault; this vault holds software keys only.");
        }
        var material = KeyFactory.ValidateImport(hsmKty ? request.Key with { Kty = request.Key.Kty[..^4] } : request.Key);
        var ops = ValidateKeyOps(material.Kty, request.KeyOps);
        SecretValidation.ValidateProperties(null, request.Tags);
        await RefuseManagedAsync(vault, name, cancellationToken);
        if (request.Hsm || hsmKty)
        {
            return await AddInHsmAsync(vault, name, material.Kty, material.Size, material.Crv, material, ops, request.Tags, request.Enabled, request.NotBefore, request.Expires, cancellationToken);
        }
        return await AddAsync(vault, name, material, ops, request.Tags, request.Enabled, request.NotBefore, request.Expires, cancellationToken);
    }

    public async Task<KeyVersion> GetAsync(VaultProperties vault, string name, string? version, CancellationToken cancellationToken) =>
        ToKey(await _objects.GetAsync(vault, name, version, cancellationToken));

    public async Task<KeyVersion> UpdateAsync(VaultProperties vault, string name, string? version, KeyPropertiesUpdate update, CancellationToken cancellationToken)
    {
        SecretValidation.ValidateProperties(null, update.Tags);
        await RefuseManagedAsync(vault, name, cancellationToken);
        return await UpdateCoreAsync(vault, name, version, update, cancellationToken);
    }

    /// <summary>A certificate's key follows the certificate's enabled flag, dates and tags.</summary>
    internal Task<KeyVersion> UpdateManagedAsync(VaultProperties vault, string name, string version, KeyPropertiesUpdate update, CancellationToken cancellationToken) =>
        UpdateCoreAsync(vault, name, version, update, cancellationToken);

    private async Task<KeyVersion> UpdateCoreAsync(VaultProperties vault, string name, string? version, KeyPropertiesUpdate update, CancellationToken cancellationToken)
    {
        var updated = await _objects.UpdateAsync(vault, name, version, current =>
        {
            var payload = current.Payload with
            {
                KeyOps = update.KeyOps is null ? current.Payload.KeyOps : ValidateKeyOps(current.Payload.Material.Kty, update.KeyOps),
                Tags = update.Tags?.ToDictionary() ?? current.Payload.Tags,
                NotBefore = update.NotBefore?.ToUnixTimeSeconds() ?? current.Payload.NotBefore,
                Expires = update.Expires?.ToUnixTimeSeconds() ?? current.Payload.Expires,
            };
            return new VersionChange<KeyVersionPayload>(payload, update.Enabled ?? current.Enabled, FromUnix(payload.Expires));
        }, cancellationToken);
        return ToKey(updated);
    }

    public async Task<Page<KeyVersion>> ListAsync(VaultProperties vault, string? after, int limit, CancellationToken cancellationToken) =>
        Map(await _objects.ListAsync(vault, after, limit, cancellationToken), ToKey);

    public async Task<Page<KeyVersion>> ListVersionsAsync(VaultProperties vault, string name, string? after, int limit, CancellationToken cancellationToken) =>
        Map(await _objects.ListVersionsAsync(vault, name, after, limit, cancellationToken), ToKey);

    public async Task<DeletedKey> DeleteAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        await RefuseManagedAsync(vault, name, cancellationToken);
        return ToDeleted(await _objects.DeleteAsync(vault, name, cancellationToken));
    }

    public async Task<DeletedKey> GetDeletedAsync(VaultProperties vault, string name, CancellationToken cancellationToken) =>
        ToDeleted(await _objects.GetDeletedAsync(vault, name, cancellationToken));

    public async Task<Page<DeletedKey>> ListDeletedAsync(VaultProperties vault, string? after, int limit, CancellationToken cancellationToken) =>
        Map(await _objects.ListDeletedAsync(vault, after, limit, cancellationToken), ToDeleted);

    public async Task<KeyVersion> RecoverAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        await RefuseManagedAsync(vault, name, cancellationToken);
        return ToKey(await _objects.RecoverAsync(vault, name, cancellationToken));
    }

    public async Task PurgeAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        await RefuseManagedAsync(vault, name, cancellationToken);
        await _objects.PurgeAsync(vault, name, cancellationToken);
    }

    /// <summary>Adds a certificate's key version under the certificate's version id.</summary>
    internal async Task<KeyVersion> AddManagedAsync(
        VaultProperties vault, string name, string versionId, KeyMaterial material, List<string> ops, bool enabled,
        DateTimeOffset? notBefore, DateTimeOffset? expires, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken)
    {
        var payload = new KeyVersionPayload(material, ops, tags?.ToDictionary(), notBefore?.ToUnixTimeSeconds(), expires?.ToUnixTimeSeconds(), Managed: true);
        return ToKey(await _objects.AddVersionAsync(vault, name, payload, enabled, expires, versionId, cancellationToken));
    }

    /// <summary>The private material of a certificate's key version, for re-issuing with <c>reuse_key</c>. The caller clears it.</summary>
    internal async Task<KeyMaterial> ReadManagedMaterialAsync(VaultProperties vault, string name, string version, CancellationToken cancellationToken) =>
        (await _objects.GetAsync(vault, name, version, cancellationToken)).Payload.Material;

    internal Task DeleteManagedAsync(VaultProperties vault, string name, CancellationToken cancellationToken) => _objects.DeleteAsync(vault, name, cancellationToken);

    internal Task RecoverManagedAsync(VaultProperties vault, string name, CancellationToken cancellationToken) => _objects.RecoverAsync(vault, name, cancellationToken);

    internal Task PurgeManagedAsync(VaultProperties vault, string name, CancellationToken cancellationToken) => _objects.PurgeAsync(vault, name, cancellationToken);

    internal Task<byte[]> BackupManagedAsync(VaultProperties vault, string name, CancellationToken cancellationToken) => _objects.BackupAsync(vault, name, cancellationToken);

    internal async Task RestoreManagedAsync(VaultProperties vault, byte[] blob, CancellationToken cancellationToken) =>
        await _objects.RestoreAsync(vault, blob, p => ValidateKeyOps(p.Material.Kty, p.KeyOps), cancellationToken);

    /// <summary>Whether an ordinary (not a certificate's) key of this name exists, live or deleted.</summary>
    internal async Task<bool> IsUnmanagedAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        return await PeekLatestAsync(vault, name, cancellationToken) is { Managed: false };
    }

    /// <summary>A certificate's key is changed only through the certificate (docs/certificates-wire.md §5).</summary>
    private async Task RefuseManagedAsync(VaultProperties vault, string name, CancellationToken cancellationToken) =>
        RefuseManaged(name, await PeekLatestAsync(vault, name, cancellationToken));

    private static void RefuseManaged(string name, KeyVersionPayload? latest)
    {
        if (latest?.Managed == true)
        {
            throw E.Forbidden($"Key {name} belongs to certificate {name}: change it through the certificates API.", "ManagedObject");
        }
    }

    /// <summary>The latest version's payload with its material already cleared: for its flags only.</summary>
    private async Task<KeyVersionPayload?> PeekLatestAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        var latest = await _objects.PeekLatestAsync(vault, name, cancellationToken);
        latest?.Material.Clear();
        return latest;
    }

    public Task<int> PurgeExpiredAsync(CancellationToken cancellationToken) => _objects.PurgeExpiredAsync(cancellationToken);

    public async Task<byte[]> BackupAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        var latest = await PeekLatestAsync(vault, name, cancellationToken);
        RefuseManaged(name, latest);
        RefuseHsmBackup(name, latest);
        return await _objects.BackupAsync(vault, name, cancellationToken);
    }

    public async Task<KeyVersion> RestoreAsync(VaultProperties vault, byte[] blob, CancellationToken cancellationToken) =>
        ToKey(await _objects.RestoreAsync(vault, blob, p =>
        {
            ValidateKeyOps(p.Material.Kty, p.KeyOps);
            if (p.Managed)
            {
                throw E.BadParameter("This backup holds a certificate's key; restore the certificate's backup instead.");
            }
        }, cancellationToken));

    /// <summary>A new version with the same type, size, curve, key_ops and tags; its expiry comes from the rotation policy.</summary>
    public async Task<KeyVersion> RotateAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        await RefuseManagedAsync(vault, name, cancellationToken);
        var latest = await _objects.GetAsync(vault, name, null, cancellationToken);
        var policy = await ReadPolicyAsync(vault, name, cancellationToken);
        return await RotateFromAsync(vault, latest, policy, cancellationToken);
    }

    public async Task<RotationPolicy> GetRotationPolicyAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        await EnsureLiveAsync(vault, name, cancellationToken);
        return await ReadPolicyAsync(vault, name, cancellationToken) ?? RotationPolicy.Default;
    }

    public async Task<RotationPolicy> SetRotationPolicyAsync(VaultProperties vault, string name, RotationPolicy policy, CancellationToken cancellationToken)
    {
        var normalised = RotationPolicyRules.Validate(policy);
        await EnsureLiveAsync(vault, name, cancellationToken);
        await RefuseManagedAsync(vault, name, cancellationToken);
        var key = PolicyKey(vault, name);
        var existing = await store.GetAsync(key, cancellationToken);
        var now = time.GetUtcNow();
        var stored = normalised with { Created = existing?.Created ?? now, Updated = now };
        await store.WriteAsync(
            [new RecordWrite.Put(new StoredRecord
            {
                Key = key,
                Created = stored.Created.Value,
                Updated = now,
                Payload = SealedJson.Encrypt(seal.Barrier, key, stored),
            })],
            cancellationToken);
        return stored;
    }

    /// <summary>Performs encrypt, decrypt, wrapKey, unwrapKey or sign with the named version (latest when empty).</summary>
    public async Task<KeyOperationResult> OperateAsync(VaultProperties vault, string name, string? version, string operation, KeyOperationInput input, CancellationToken cancellationToken)
    {
        var key = await LoadForOperationAsync(vault, name, version, operation, input, cancellationToken);
        if (key.Payload.HsmId is not null)
        {
            return OperateInHsm(key, operation, input);
        }
        var material = key.Payload.Material;
        try
        {
            return operation switch
            {
                KeyOperations.Encrypt => FromParts(key, KeyCrypto.Encrypt(material, input)),
                KeyOperations.Decrypt => new KeyOperationResult(key.Name, key.Version, KeyCrypto.Decrypt(material, input)),
                KeyOperations.WrapKey => new KeyOperationResult(key.Name, key.Version, KeyCrypto.WrapKey(material, input)),
                KeyOperations.UnwrapKey => new KeyOperationResult(key.Name, key.Version, KeyCrypto.UnwrapKey(material, input)),
                KeyOperations.Sign => new KeyOperationResult(key.Name, key.Version, KeyCrypto.Sign(material, input)),
                _ => throw new ArgumentOutOfRangeException(nameof(operation)),
            };
        }
        finally
        {
            material.Clear();
        }
    }

    public async Task<(string Name, string Version, bool Valid)> VerifyAsync(VaultProperties vault, string name, string? version, KeyOperationInput input, CancellationToken cancellationToken)
    {
        var key = await LoadForOperationAsync(vault, name, version, KeyOperations.Verify, input, cancellationToken);
        if (key.Payload.HsmId is not null)
        {
            return (key.Name, key.Version, HsmKeyCrypto.Verify(RequireHsm(), ToHsmKey(key.Payload), input));
        }
        try
        {
            return (key.Name, key.Version, KeyCrypto.Verify(key.Payload.Material, input));
        }
        finally
        {
            key.Payload.Material.Clear();
        }
    }

    /// <summary>
    /// Runs every rotation policy in the given vaults: rotates keys whose Rotate trigger has come and
    /// records Notify events once per version. Returns how many keys were rotated.
    /// </summary>
    public async Task<int> ApplyRotationPoliciesAsync(IEnumerable<VaultProperties> vaults, CancellationToken cancellationToken)
    {
        var rotated = 0;
        foreach (var vault in vaults)
        {
            await foreach (var record in store.ListAllAsync(new RecordQuery(vault.Name, PolicyKind), cancellationToken))
            {
                if (await ApplyPolicyAsync(vault, record, cancellationToken))
                {
                    rotated++;
                }
            }
        }
        return rotated;
    }

    public async Task<IReadOnlyList<KeyEvent>> ListEventsAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        var records = await store.ListAsync(new RecordQuery(vault.Name, EventKind) { Name = Names.Normalize(name), Limit = 1000 }, cancellationToken);
        return records.Select(r => SealedJson.Decrypt<KeyEvent>(seal.Barrier, r)).ToList();
    }

    private async Task<bool> ApplyPolicyAsync(VaultProperties vault, StoredRecord policyRecord, CancellationToken cancellationToken)
    {
        var policy = SealedJson.Decrypt<RotationPolicy>(seal.Barrier, policyRecord);
        ObjectVersion<KeyVersionPayload> latest;
        try
        {
            latest = await _objects.GetAsync(vault, policyRecord.Key.Name, null, cancellationToken);
        }
        catch (Errors.KeyhubException)
        {
            return false; // deleted keys keep their policy for recovery but do not rotate
        }
        latest.Payload.Material.Clear(); // only its dates are needed here; a rotation generates new material
        var now = time.GetUtcNow();
        var rotated = false;
        foreach (var action in policy.LifetimeActions)
        {
            if (!RotationPolicyRules.IsDue(action, latest.Created, latest.Expires, now))
            {
                continue;
            }
            if (action.Action == RotationActions.Rotate && !rotated)
            {
                await RotateFromAsync(vault, latest, policy, cancellationToken);
                rotated = true;
            }
            else if (action.Action == RotationActions.Notify)
            {
                await RecordEventAsync(vault, latest, RotationActions.Notify, now, cancellationToken);
            }
        }
        return rotated;
    }

    private async Task RecordEventAsync(VaultProperties vault, ObjectVersion<KeyVersionPayload> version, string type, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // One event per (type, version): the id is derived, so a second node or tick cannot duplicate it.
        var key = new RecordKey(vault.Name, EventKind, Names.Normalize(version.Name), $"{type.ToLowerInvariant()}-{version.Version}");
        if (await store.GetAsync(key, cancellationToken) is not null)
        {
            return;
        }
        try
        {
            await store.WriteAsync(
                [new RecordWrite.Insert(new StoredRecord
                {
                    Key = key,
                    Created = now,
                    Updated = now,
                    Payload = SealedJson.Encrypt(seal.Barrier, key, new KeyEvent(type, version.Name, version.Version, now)),
                })],
                cancellationToken);
        }
        catch (RecordConflictException)
        {
        }
    }

    private async Task<KeyVersion> RotateFromAsync(VaultProperties vault, ObjectVersion<KeyVersionPayload> latest, RotationPolicy? policy, CancellationToken cancellationToken)
    {
        var current = latest.Payload.Material;
        current.Clear();
        var now = time.GetUtcNow();
        DateTimeOffset? expires = policy?.ExpiryTime is { } expiry && IsoDuration.TryParse(expiry, out var duration) ? duration.AddTo(now) : null;
        if (latest.Payload.HsmId is not null)
        {
            var hsmKey = ToHsmKey(latest.Payload);
            return await AddInHsmAsync(vault, latest.Name, hsmKey.Kty, hsmKey.Size, hsmKey.Public.Crv, null, latest.Payload.KeyOps, latest.Payload.Tags, true, null, expires, cancellationToken);
        }
        var material = KeyFactory.Generate(current.Kty, current.Kty == KeyTypes.Ec ? null : current.Size, null, current.Crv);
        return await AddAsync(vault, latest.Name, material, latest.Payload.KeyOps, latest.Payload.Tags, true, null, expires, cancellationToken);
    }

    private async Task<ObjectVersion<KeyVersionPayload>> LoadForOperationAsync(
        VaultProperties vault, string name, string? version, string operation, KeyOperationInput input, CancellationToken cancellationToken)
    {
        if (input.Value.Length > MaxOperationBytes)
        {
            throw E.BadParameter($"The value exceeds {MaxOperationBytes} bytes.");
        }
        var key = await _objects.GetAsync(vault, name, version, cancellationToken);
        var now = time.GetUtcNow();
        string? refusal = null, innerCode = null;
        if (!key.Enabled)
        {
            (refusal, innerCode) = ($"Operation {operation} is not allowed on a disabled key.", "KeyDisabled");
        }
        // Outside its nbf/exp window a key still decrypts, unwraps and verifies (Azure's "date-time controlled
        // operations"): only encrypt, wrapKey and sign are refused, so protected data stays recoverable.
        else if (FromUnix(key.Payload.NotBefore) is { } nbf && now < nbf && IsProtecting(operation))
        {
            (refusal, innerCode) = ($"Operation {operation} is not allowed before the key's activation time.", "KeyNotYetValid");
        }
        else if (FromUnix(key.Payload.Expires) is { } exp && now > exp && IsProtecting(operation))
        {
            (refusal, innerCode) = ($"Operation {operation} is not allowed on an expired key.", "KeyExpired");
        }
        else if (!key.Payload.KeyOps.Contains(operation))
        {
            (refusal, innerCode) = ($"Operation {operation} is not permitted by this key's key_ops.", "KeyOperationForbidden");
        }
        if (refusal is not null)
        {
            key.Payload.Material.Clear();
            throw E.Forbidden(refusal, innerCode);
        }
        return key;
    }

    private async Task<KeyVersion> AddAsync(
        VaultProperties vault, string name, KeyMaterial material, List<string> ops, IReadOnlyDictionary<string, string>? tags,
        bool? enabled, DateTimeOffset? notBefore, DateTimeOffset? expires, CancellationToken cancellationToken)
    {
        var payload = new KeyVersionPayload(material, ops, tags?.ToDictionary(), notBefore?.ToUnixTimeSeconds(), expires?.ToUnixTimeSeconds());
        try
        {
            return ToKey(await _objects.AddVersionAsync(vault, name, payload, enabled ?? true, expires, cancellationToken));
        }
        finally
        {
            material.Clear();
        }
    }

    private async Task<RotationPolicy?> ReadPolicyAsync(VaultProperties vault, string name, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(PolicyKey(vault, name), cancellationToken);
        return record is null ? null : SealedJson.Decrypt<RotationPolicy>(seal.Barrier, record);
    }

    private async Task EnsureLiveAsync(VaultProperties vault, string name, CancellationToken cancellationToken) =>
        (await _objects.GetAsync(vault, name, null, cancellationToken)).Payload.Material.Clear();

    private static bool IsProtecting(string operation) => operation is KeyOperations.Encrypt or KeyOperations.WrapKey or KeyOperations.Sign;

    private static List<string> ValidateKeyOps(string kty, IReadOnlyList<string>? requested)
    {
        var valid = KeyTypes.OperationsFor(kty);
        if (requested is null)
        {
            return [.. valid];
        }
        var invalid = requested.Where(op => !valid.Contains(op)).ToList();
        if (invalid.Count > 0)
        {
            throw E.BadParameter($"key_ops {string.Join(", ", invalid)} are not valid for {kty} keys. Valid: {string.Join(", ", valid)}.");
        }
        return requested.Distinct(StringComparer.Ordinal).ToList();
    }

    private static KeyOperationResult FromParts(ObjectVersion<KeyVersionPayload> key, KeyOperationResultParts parts) =>
        new(key.Name, key.Version, parts.Value) { Iv = parts.Iv, AuthenticationTag = parts.Tag, AdditionalAuthenticatedData = parts.Aad };

    private static Page<TOut> Map<TIn, TOut>(Page<TIn> page, Func<TIn, TOut> map) => new(page.Items.Select(map).ToList(), page.ContinueAfter);

    private static DeletedKey ToDeleted(DeletedObject<KeyVersionPayload> deleted) => new(ToKey(deleted.Latest), deleted.DeletedDate, deleted.ScheduledPurgeDate);

    private static KeyVersion ToKey(ObjectVersion<KeyVersionPayload> version)
    {
        var material = version.Payload.Material;
        var result = new KeyVersion
        {
            Name = version.Name,
            Version = version.Version,
            PublicKey = material.ToPublic(),
            KeyOps = version.Payload.KeyOps,
            Tags = version.Payload.Tags,
            Enabled = version.Enabled,
            NotBefore = FromUnix(version.Payload.NotBefore),
            Expires = FromUnix(version.Payload.Expires),
            Created = version.Created,
            Updated = version.Updated,
            Managed = version.Payload.Managed,
            Hsm = version.Payload.HsmId is not null,
        };
        material.Clear();
        return result;
    }

    private static DateTimeOffset? FromUnix(long? seconds) => seconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    private static RecordKey PolicyKey(VaultProperties vault, string name) => new(vault.Name, PolicyKind, Names.Normalize(name), "");
}
