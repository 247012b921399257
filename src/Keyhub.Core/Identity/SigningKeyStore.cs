using System.Security.Cryptography;
using Keyhub.Core.Seal;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Identity;

/// <summary>The token-signing key (ECDSA P-256), created once and kept behind the barrier.</summary>
public sealed class SigningKeyStore(IRecordStore store, SealManager seal, TimeProvider time)
{
    private static readonly RecordKey Key = new(SystemVault.Name, "signingkey", "current", "");

    public async Task<SigningKey> EnsureAsync(CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(Key, cancellationToken);
        if (record is null)
        {
            using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var payload = new SigningKeyPayload(Guid.NewGuid().ToString("N"), fresh.ExportPkcs8PrivateKey());
            var now = time.GetUtcNow();
            record = new StoredRecord { Key = Key, Created = now, Updated = now, Payload = SealedJson.Encrypt(seal.Barrier, Key, payload) };
            try
            {
                await store.WriteAsync([new RecordWrite.Insert(record)], cancellationToken);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(payload.Pkcs8);
            }
        }
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
