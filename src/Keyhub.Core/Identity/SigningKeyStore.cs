using System.Security.Cryptography;
using Keyhub.Core.Seal;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Identity;

/// <summary>
/// Token-signing keys (ECDSA P-256), kept behind the barrier. One is current; after a rotation the
/// previous ones stay published (and accepted) until the tokens they signed have expired, then go.
/// </summary>
public sealed class SigningKeyStore(IRecordStore store, SealManager seal, TimeProvider time)
{
    private const string Kind = "signingkey";
    private static readonly RecordKey Current = new(SystemVault.Name, Kind, "current", "");

    /// <summary>The current key, created on first use.</summary>
    public async Task<SigningKey> EnsureAsync(CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(Current, cancellationToken);
        if (record is null)
        {
            record = NewRecord(Current, out _);
            await store.WriteAsync([new RecordWrite.Insert(record)], cancellationToken);
        }
        return Load(record);
    }

    /// <summary>The current key and every retired key still within its grace period.</summary>
    public async Task<IReadOnlyList<SigningKey>> LoadAllAsync(CancellationToken cancellationToken)
    {
        var current = await EnsureAsync(cancellationToken);
        var now = time.GetUtcNow();
        var previous = await store.ListAsync(new RecordQuery(SystemVault.Name, Kind) { Limit = 100 }, cancellationToken);
        return [current, .. previous.Where(r => r.Key.Name != Current.Name && r.PurgeAt > now).Select(Load)];
    }

    /// <summary>
    /// Makes a new current key; the old one is kept for <paramref name="gracePeriod"/> (the token lifetime
    /// plus clock skew) so tokens it signed stay valid until they expire.
    /// </summary>
    public async Task RotateAsync(TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        var current = await store.GetAsync(Current, cancellationToken);
        var now = time.GetUtcNow();
        var writes = new List<RecordWrite> { new RecordWrite.Put(NewRecord(Current, out _)) };
        if (current is not null)
        {
            var old = SealedJson.Decrypt<SigningKeyPayload>(seal.Barrier, current);
            var retiredKey = Current with { Name = $"retired-{old.KeyId}" };
            writes.Add(new RecordWrite.Insert(new StoredRecord
            {
                Key = retiredKey,
                Created = current.Created,
                Updated = now,
                PurgeAt = now + gracePeriod,
                Payload = SealedJson.Encrypt(seal.Barrier, retiredKey, old),
            }));
            CryptographicOperations.ZeroMemory(old.Pkcs8);
        }
        await store.WriteAsync(writes, cancellationToken);
    }

    /// <summary>Removes retired keys whose grace period has ended.</summary>
    public async Task<int> PurgeRetiredAsync(CancellationToken cancellationToken)
    {
        var due = await store.ListDueForPurgeAsync(Kind, time.GetUtcNow(), 100, cancellationToken);
        if (due.Count > 0)
        {
            await store.WriteAsync(due.Select(k => (RecordWrite)new RecordWrite.Remove(k)).ToList(), cancellationToken);
            await store.CompactAsync(cancellationToken);
        }
        return due.Count;
    }

    private StoredRecord NewRecord(RecordKey key, out string keyId)
    {
        using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var payload = new SigningKeyPayload(Guid.NewGuid().ToString("N"), fresh.ExportPkcs8PrivateKey());
        keyId = payload.KeyId;
        var now = time.GetUtcNow();
        try
        {
            return new StoredRecord { Key = key, Created = now, Updated = now, Payload = SealedJson.Encrypt(seal.Barrier, key, payload) };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(payload.Pkcs8);
        }
    }

    private SigningKey Load(StoredRecord record)
    {
        var stored = SealedJson.Decrypt<SigningKeyPayload>(seal.Barrier, record);
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportPkcs8PrivateKey(stored.Pkcs8, out _);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(stored.Pkcs8);
        }
        return new SigningKey(stored.KeyId, ecdsa);
    }

    private sealed record SigningKeyPayload(string KeyId, byte[] Pkcs8);
}

public sealed record SigningKey(string KeyId, ECDsa Key) : IDisposable
{
    public void Dispose() => Key.Dispose();
}
