using System.Security.Cryptography;
using System.Text;
using Keyhub.Core.Barrier;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Seal;

/// <summary>
/// Holds the unsealed barrier. The root key (wrapped by the seal) and the keyring (encrypted by the
/// root key) are both records in the system vault.
/// </summary>
public sealed partial class SealManager(IRecordStore store, ISeal seal, TimeProvider time, BarrierPolicy? policy = null) : IDisposable
{
    internal static readonly RecordKey RootKeyRecord = new(SystemVault.Name, "seal", "root", "");
    internal static readonly RecordKey KeyRingRecord = new(SystemVault.Name, "keyring", "keyring", "");
    private static readonly byte[] KeyRingAssociatedData = Encoding.UTF8.GetBytes("keyhub/keyring");
    private static readonly TimeSpan RetiredRingGrace = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _rotateGate = new(1, 1);
    private readonly BarrierPolicy _policy = policy ?? new BarrierPolicy();
    private volatile KeyRing? _keyRing;
    private volatile RecordBarrier? _barrier;
    private volatile TermUsage? _usage;

    public bool IsSealed => _barrier is null;

    public RecordBarrier Barrier => _barrier ?? throw Errors.Errors.Sealed();

    /// <summary>
    /// First start: creates and stores a root key (<paramref name="newRootKey"/> if given: recovery shares were split
    /// from it) and keyring, with <paramref name="settings"/> (how it is sealed) in the same atomic write. Later
    /// starts: unseals them.
    /// </summary>
    public async Task InitializeOrUnsealAsync(CancellationToken cancellationToken, SealSettings? settings = null, ReadOnlyMemory<byte>? newRootKey = null)
    {
        var wrapped = await store.GetAsync(RootKeyRecord, cancellationToken);
        if (wrapped is null)
        {
            await InitializeAsync(settings, newRootKey, cancellationToken);
            return;
        }
        var rootKey = await seal.UnwrapAsync(wrapped.Payload, cancellationToken);
        try
        {
            var ringRecord = await store.GetAsync(KeyRingRecord, cancellationToken)
                ?? throw new InvalidOperationException("The keyring record is missing.");
            var ringBytes = AesGcmEnvelope.Open(rootKey, ringRecord.Payload, KeyRingAssociatedData);
            KeyRing ring;
            try
            {
                ring = KeyRing.Deserialize(ringBytes);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(ringBytes);
            }
            await InstallAsync(ring, cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rootKey);
        }
    }

    private async Task InitializeAsync(SealSettings? settings, ReadOnlyMemory<byte>? newRootKey, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rootKey = newRootKey is { } given ? given.ToArray() : RandomNumberGenerator.GetBytes(KeyRing.KeySize);
        var ring = KeyRing.CreateNew(now);
        var ringBytes = ring.Serialize();
        try
        {
            var wrapped = await seal.WrapAsync(rootKey, cancellationToken);
            var encryptedRing = AesGcmEnvelope.Seal(rootKey, 0, ringBytes, KeyRingAssociatedData);
            List<RecordWrite> writes =
            [
                new RecordWrite.Insert(new StoredRecord { Key = RootKeyRecord, Created = now, Updated = now, Payload = wrapped }),
                new RecordWrite.Insert(new StoredRecord { Key = KeyRingRecord, Created = now, Updated = now, Payload = encryptedRing }),
            ];
            if (settings is not null)
            {
                writes.Add(new RecordWrite.Insert(SealConfig.ToRecord(settings, now)));
            }
            await store.WriteAsync(writes, cancellationToken);
        }
        catch
        {
            ring.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rootKey);
            CryptographicOperations.ZeroMemory(ringBytes);
        }
        await InstallAsync(ring, cancellationToken);
    }

    /// <summary>
    /// Rotates the barrier online: a new keyring with a new active term is stored (encrypted by the root key)
    /// and swapped in; records written before keep decrypting under their own terms. The replaced ring is
    /// zeroed after a grace period, once requests that started with it are done.
    /// </summary>
    public async Task<uint> RotateBarrierAsync(CancellationToken cancellationToken)
    {
        await _rotateGate.WaitAsync(cancellationToken);
        try
        {
            var current = _keyRing ?? throw Errors.Errors.Sealed();
            var next = current.WithNewTerm(time.GetUtcNow());
            await ReplaceRingAsync(current, next, cancellationToken);
            return next.ActiveTerm;
        }
        finally
        {
            _rotateGate.Release();
        }
    }

    /// <summary>Rotates when the active term has reached the policy's encryption count or age; returns the new term, or null.</summary>
    public async Task<uint?> RotateIfDueAsync(CancellationToken cancellationToken)
    {
        var ring = _keyRing;
        var usage = _usage;
        if (ring is null || usage is null)
        {
            return null;
        }
        var byCount = usage.Count >= _policy.MaxEncryptionsPerTerm;
        var byAge = _policy.MaxTermAge is { } maxAge && time.GetUtcNow() - ring.CreatedOf(ring.ActiveTerm) >= maxAge;
        return byCount || byAge ? await RotateBarrierAsync(cancellationToken) : null;
    }

    /// <summary>Stores <paramref name="next"/> under the root key and swaps it in; callers hold the rotate gate.</summary>
    private async Task ReplaceRingAsync(KeyRing current, KeyRing next, CancellationToken cancellationToken)
    {
        var ringBytes = next.Serialize();
        try
        {
            var wrapped = await store.GetAsync(RootKeyRecord, cancellationToken) ?? throw new InvalidOperationException("The root key record is missing.");
            var rootKey = await seal.UnwrapAsync(wrapped.Payload, cancellationToken);
            try
            {
                var encryptedRing = AesGcmEnvelope.Seal(rootKey, 0, ringBytes, KeyRingAssociatedData);
                var existing = await store.GetAsync(KeyRingRecord, cancellationToken) ?? throw new InvalidOperationException("The keyring record is missing.");
                await store.WriteAsync([new RecordWrite.Put(existing with { Updated = time.GetUtcNow(), Payload = encryptedRing })], cancellationToken);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(rootKey);
            }
            await InstallAsync(next, cancellationToken, disposePrevious: false);
        }
        catch
        {
            if (!ReferenceEquals(_keyRing, next))
            {
                next.Dispose();
            }
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ringBytes);
        }
        _ = Task.Delay(RetiredRingGrace, time, CancellationToken.None).ContinueWith(_ => current.Dispose(), TaskScheduler.Default);
    }

    /// <summary>
    /// Rekey: a new root key (<paramref name="newRootKey"/> if given: recovery shares were split from it), wrapped by
    /// <paramref name="newSeal"/>, with the keyring re-encrypted under it — nothing else is re-encrypted. Root key,
    /// keyring and seal settings are replaced in one atomic batch, so a crash leaves either the old seal working or
    /// the new one, never neither.
    /// </summary>
    public async Task RekeyAsync(ISeal newSeal, SealSettings settings, CancellationToken cancellationToken, ReadOnlyMemory<byte>? newRootKey = null)
    {
        await _rotateGate.WaitAsync(cancellationToken);
        try
        {
            var ring = _keyRing ?? throw Errors.Errors.Sealed();
            var now = time.GetUtcNow();
            var rootKey = newRootKey is { } given ? given.ToArray() : RandomNumberGenerator.GetBytes(KeyRing.KeySize);
            var ringBytes = ring.Serialize();
            try
            {
                var wrapped = await newSeal.WrapAsync(rootKey, cancellationToken);
                var encryptedRing = AesGcmEnvelope.Seal(rootKey, 0, ringBytes, KeyRingAssociatedData);
                var root = await store.GetAsync(RootKeyRecord, cancellationToken) ?? throw new InvalidOperationException("The root key record is missing.");
                var keyring = await store.GetAsync(KeyRingRecord, cancellationToken) ?? throw new InvalidOperationException("The keyring record is missing.");
                await store.WriteAsync(
                    [
                        new RecordWrite.Put(root with { Updated = now, Payload = wrapped }),
                        new RecordWrite.Put(keyring with { Updated = now, Payload = encryptedRing }),
                        new RecordWrite.Put(SealConfig.ToRecord(settings, now)),
                    ],
                    cancellationToken);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(rootKey);
                CryptographicOperations.ZeroMemory(ringBytes);
            }
        }
        finally
        {
            _rotateGate.Release();
        }
    }

    /// <summary>The active barrier term (the number new records are encrypted under).</summary>
    public uint ActiveTerm => (_keyRing ?? throw Errors.Errors.Sealed()).ActiveTerm;

    private async Task InstallAsync(KeyRing ring, CancellationToken cancellationToken, bool disposePrevious = true)
    {
        TermUsage usage;
        try
        {
            usage = await TermUsage.StartAsync(store, time, ring.ActiveTerm, _policy.CountBlock, cancellationToken);
        }
        catch
        {
            ring.Dispose();
            throw;
        }
        var previous = _keyRing;
        _keyRing = ring;
        _usage = usage;
        _barrier = new RecordBarrier(ring, usage.OnEncrypt);
        if (disposePrevious)
        {
            previous?.Dispose();
        }
    }

    public void Dispose()
    {
        // Seal first, so a request still in flight at shutdown gets 503 rather than an empty keyring.
        _barrier = null;
        _usage = null;
        _keyRing?.Dispose();
        _keyRing = null;
    }
}
