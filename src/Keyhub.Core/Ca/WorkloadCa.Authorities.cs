using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyhub.Core.Identity;
using Keyhub.Core.Keys;
using Keyhub.Core.Storage;
using R = Keyhub.Core.Ca.WorkloadCaRecords;

namespace Keyhub.Core.Ca;

/// <summary>
/// The CA's own state: the root and the current intermediate, made on first use, renewed and rotated, and
/// their keys, read from the barrier only for the moment they sign.
/// </summary>
public sealed partial class WorkloadCa
{
    /// <summary>The current intermediate, creating the CA on first use and renewing an intermediate near its end.</summary>
    private async Task<CurrentState> CurrentAsync(CancellationToken cancellationToken)
    {
        var root = await RootAsync(cancellationToken);
        var current = await ReadCurrentAsync(cancellationToken);
        // Near the root's own end a new intermediate could not outlive the old one, so it is not replaced then.
        if (current is null || (current.NotAfter - time.GetUtcNow() < RenewIntermediateBefore && current.NotAfter < root.NotAfter))
        {
            await ReplaceIntermediateAsync(current?.Serial, cancellationToken);
            current = await ReadCurrentAsync(cancellationToken) ?? throw new InvalidOperationException("The workload CA has no intermediate.");
        }
        return current;
    }

    /// <summary>The current intermediate with its key; re-read if another node rotated between the two reads.</summary>
    private async Task<(CurrentState Current, ECDsa Key)> SigningIntermediateAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var current = await CurrentAsync(cancellationToken);
            if (await LoadKeyAsync(R.IntermediateKey(current.Serial), cancellationToken) is { } key)
            {
                return (current, key);
            }
        }
        throw new InvalidOperationException("The workload CA's intermediate key is missing.");
    }

    private async Task<RootState> RootAsync(CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(R.Root, cancellationToken);
        if (record is null)
        {
            await CreateRootAsync(cancellationToken);
            record = await store.GetAsync(R.Root, cancellationToken) ?? throw new InvalidOperationException("The workload CA has no root.");
        }
        return new RootState(SealedJson.Decrypt<RootCertificate>(seal.Barrier, record).Certificate, record.Expires ?? DateTimeOffset.MaxValue);
    }

    private async Task CreateRootAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (await store.GetAsync(R.Root, cancellationToken) is not null)
            {
                return;
            }
            var now = time.GetUtcNow();
            var (key, stored) = NewCaKey(Curves.P384, "keyhub:ca/root");
            using (key)
            {
                try
                {
                    var certificate = CaCertificates.CreateRoot(key, await DeploymentLabelAsync(cancellationToken), now);
                    using var parsed = X509CertificateLoader.LoadCertificate(certificate);
                    await store.WriteAsync(
                    [
                        new RecordWrite.Insert(NewRecord(R.Root, new RootCertificate(certificate), now, parsed.NotAfter.ToUniversalTime())),
                        new RecordWrite.Insert(NewRecord(R.RootKey, stored, now, null)),
                    ], cancellationToken);
                }
                catch (RecordConflictException)
                {
                    // Another node created the root first; its root is the deployment's.
                    DestroyHsmObject(stored);
                }
                catch
                {
                    DestroyHsmObject(stored);
                    throw;
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(stored.Pkcs8);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Makes a new intermediate current unless the current one is no longer <paramref name="expected"/>
    /// (someone replaced it meanwhile), and deletes the key of the one it replaces.
    /// </summary>
    private async Task ReplaceIntermediateAsync(string? expected, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var current = await ReadCurrentAsync(cancellationToken);
            if (current?.Serial != expected)
            {
                return;
            }
            var root = await store.GetAsync(R.Root, cancellationToken) ?? throw new InvalidOperationException("The workload CA has no root.");
            using var rootKey = await LoadKeyAsync(R.RootKey, cancellationToken) ?? throw new InvalidOperationException("The workload CA's root key is missing.");
            using var rootCertificate = X509CertificateLoader.LoadCertificate(SealedJson.Decrypt<RootCertificate>(seal.Barrier, root).Certificate);
            var generation = (current?.Generation ?? 0) + 1;
            var now = time.GetUtcNow();
            var (key, stored) = NewCaKey(Curves.P256, $"keyhub:ca/intermediate-g{generation}");
            using (key)
            {
                try
                {
                    var (certificate, serialBytes) = CaCertificates.CreateIntermediate(rootCertificate, rootKey, key, await DeploymentLabelAsync(cancellationToken), generation, now);
                    using var parsed = X509CertificateLoader.LoadCertificate(certificate);
                    var serial = Convert.ToHexStringLower(serialBytes);
                    var pointer = NewRecord(R.Current, new CurrentIntermediate(serial, generation), now, null);
                    var writes = new List<RecordWrite>
                    {
                        new RecordWrite.Insert(NewRecord(R.Intermediate(serial), new IntermediateCertificate(certificate, generation), now, parsed.NotAfter.ToUniversalTime())),
                        new RecordWrite.Insert(NewRecord(R.IntermediateKey(serial), stored, now, null)),
                        current is null ? new RecordWrite.Insert(pointer) : new RecordWrite.Put(pointer),
                    };
                    var replaced = current is null ? null : await store.GetAsync(R.IntermediateKey(current.Serial), cancellationToken);
                    if (current is not null)
                    {
                        // Only the replaced intermediate's key: when two nodes rotate at once, each removes the same old
                        // key and neither can remove the key of the intermediate that ends up current.
                        writes.Add(new RecordWrite.Remove(R.IntermediateKey(current.Serial)));
                    }
                    await store.WriteAsync(writes, cancellationToken);
                    if (replaced is not null)
                    {
                        // The retired key is gone from the database files (and the HSM) too, not only from the live rows.
                        await store.CompactAsync(cancellationToken);
                        var old = SealedJson.Decrypt<CaKey>(seal.Barrier, replaced);
                        CryptographicOperations.ZeroMemory(old.Pkcs8);
                        DestroyHsmObject(old);
                    }
                }
                catch (RecordConflictException) when (current is null)
                {
                    // Another node made the first intermediate; it is the current one.
                    DestroyHsmObject(stored);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(stored.Pkcs8);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<CachedCrl?> CachedCrlAsync(CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(R.Crl, cancellationToken);
        return record is null ? null : SealedJson.Decrypt<CachedCrl>(seal.Barrier, record);
    }

    private async Task<CurrentState?> ReadCurrentAsync(CancellationToken cancellationToken)
    {
        var pointerRecord = await store.GetAsync(R.Current, cancellationToken);
        if (pointerRecord is null)
        {
            return null;
        }
        var pointer = SealedJson.Decrypt<CurrentIntermediate>(seal.Barrier, pointerRecord);
        var record = await store.GetAsync(R.Intermediate(pointer.Serial), cancellationToken)
            ?? throw new InvalidOperationException("The workload CA's current intermediate is missing.");
        var certificate = SealedJson.Decrypt<IntermediateCertificate>(seal.Barrier, record);
        return new CurrentState(pointer.Serial, certificate.Certificate, pointer.Generation, record.Expires ?? DateTimeOffset.MaxValue);
    }

    private async Task<ECDsa?> LoadKeyAsync(RecordKey key, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(key, cancellationToken);
        if (record is null)
        {
            return null;
        }
        var stored = SealedJson.Decrypt<CaKey>(seal.Barrier, record);
        if (stored.HsmId is { } id)
        {
            var token = hsm ?? throw new Errors.KeyhubException(503, "ServiceUnavailable", "The workload CA's keys are in the HSM, which is not available.");
            return new HsmECDsa(token, id, stored.Curve!, stored.X!, stored.Y!);
        }
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportPkcs8PrivateKey(stored.Pkcs8, out _);
            return ecdsa;
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(stored.Pkcs8);
        }
    }

    /// <summary>The root's name carries the tenant id, so two deployments' roots are told apart at a glance.</summary>
    private async Task<string> DeploymentLabelAsync(CancellationToken cancellationToken) =>
        (await new DeploymentStore(store, seal, time).GetAsync(cancellationToken))?.TenantId
        ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private StoredRecord NewRecord<T>(RecordKey key, T payload, DateTimeOffset now, DateTimeOffset? expires) => new()
    {
        Key = key,
        Created = now,
        Updated = now,
        Expires = expires,
        Payload = SealedJson.Encrypt(seal.Barrier, key, payload),
    };

    /// <summary>
    /// A new CA key on <paramref name="curve"/>: in the HSM when the deployment has one (the record keeps the object's
    /// id and public point), else in software (the record keeps PKCS#8, behind the barrier).
    /// </summary>
    private (ECDsa Key, CaKey Stored) NewCaKey(string curve, string label)
    {
        if (hsm is not null)
        {
            var id = RandomNumberGenerator.GetBytes(16);
            var point = hsm.GenerateEc(id, label, curve);
            return (new HsmECDsa(hsm, id, curve, point.X!, point.Y!), new CaKey([], id, curve, point.X, point.Y));
        }
        var key = ECDsa.Create(Curves.ToCurve(curve));
        return (key, new CaKey(key.ExportPkcs8PrivateKey()));
    }

    private void DestroyHsmObject(CaKey stored)
    {
        if (stored.HsmId is { } id)
        {
            hsm?.Destroy(id);
        }
    }

    private sealed record RootState(byte[] Certificate, DateTimeOffset NotAfter);

    private sealed record CurrentState(string Serial, byte[] Certificate, int Generation, DateTimeOffset NotAfter);
}
