using System.Security.Cryptography;
using System.Text.Json;
using Keyhub.Core.Barrier;

namespace Keyhub.Core.Storage;

/// <summary>Serializes a payload object to JSON and passes it through the barrier, and back.</summary>
public static class SealedJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static byte[] Encrypt<T>(RecordBarrier barrier, RecordKey key, T value)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(value, Options);
        try
        {
            return barrier.Encrypt(key, plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public static T Decrypt<T>(RecordBarrier barrier, StoredRecord record)
    {
        var plaintext = barrier.Decrypt(record.Key, record.Payload);
        try
        {
            return JsonSerializer.Deserialize<T>(plaintext, Options) ?? throw new BarrierException();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
