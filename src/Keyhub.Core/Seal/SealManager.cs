using System.Security.Cryptography;
using System.Text;
using Keyhub.Core.Barrier;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Seal;

/// <summary>
/// Holds the unsealed barrier. The root key (wrapped by the seal) and the keyring (encrypted by the
/// root key) are both records in the system vault.
/// </summary>
public sealed class SealManager(IRecordStore store, ISeal seal, TimeProvider time) : IDisposable
{
    internal static readonly RecordKey RootKeyRecord = new(SystemVault.Name, "seal", "root", "");
    internal static readonly RecordKey KeyRingRecord = new(SystemVault.Name, "keyring", "keyring", "");
    private static readonly byte[] KeyRingAssociatedData = Encoding.UTF8.GetBytes("keyhub/keyring");
    private KeyRing? _keyRing;
    private RecordBarrier? _barrier;

    public bool IsSealed => _barrier is null;

    public RecordBarrier Barrier => _barrier ?? throw Errors.Errors.Sealed();

    /// <summary>First start: creates and stores a root key and keyring. Later starts: unseals them.</summary>
    public async Task InitializeOrUnsealAsync(CancellationToken cancellationToken)
    {
        var wrapped = await store.GetAsync(RootKeyRecord, cancellationToken);
        if (wrapped is null)
        {
            await InitializeAsync(cancellationToken);
            return;
        }
        var rootKey = await seal.UnwrapAsync(wrapped.Payload, cancellationToken);
        try
        {
            var ringRecord = await store.GetAsync(KeyRingRecord, cancellationToken)
                ?? throw new InvalidOperationException("The keyring record is missing.");
            var ringBytes = AesGcmEnvelope.Open(rootKey, ringRecord.Payload, KeyRingAssociatedData);
            try
            {
                Install(KeyRing.Deserialize(ringBytes));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(ringBytes);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rootKey);
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rootKey = RandomNumberGenerator.GetBytes(KeyRing.KeySize);
        var ring = KeyRing.CreateNew(now);
        var ringBytes = ring.Serialize();
        try
        {
            var wrapped = await seal.WrapAsync(rootKey, cancellationToken);
            var encryptedRing = AesGcmEnvelope.Seal(rootKey, 0, ringBytes, KeyRingAssociatedData);
            await store.WriteAsync(
                [
                    new RecordWrite.Insert(new StoredRecord { Key = RootKeyRecord, Created = now, Updated = now, Payload = wrapped }),
                    new RecordWrite.Insert(new StoredRecord { Key = KeyRingRecord, Created = now, Updated = now, Payload = encryptedRing }),
                ],
                cancellationToken);
            Install(ring);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rootKey);
            CryptographicOperations.ZeroMemory(ringBytes);
        }
    }

    private void Install(KeyRing ring)
    {
        _keyRing?.Dispose();
        _keyRing = ring;
        _barrier = new RecordBarrier(ring);
    }

    public void Dispose()
    {
        // Seal first, so a request still in flight at shutdown gets 503 rather than an empty keyring.
        _barrier = null;
        _keyRing?.Dispose();
        _keyRing = null;
    }
}
