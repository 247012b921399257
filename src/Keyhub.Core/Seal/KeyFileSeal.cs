using System.Security.Cryptography;
using System.Text;
using Keyhub.Core.Barrier;
using Keyhub.Core.IO;

namespace Keyhub.Core.Seal;

/// <summary>
/// Dev seal: a 256-bit key in a file readable only by the owner wraps the root key. Anyone who can
/// read the file and the database can read everything, which is why it is for development only.
/// </summary>
public sealed class KeyFileSeal : ISeal, IDisposable
{
    private static readonly byte[] AssociatedData = Encoding.UTF8.GetBytes("keyhub/root-key/keyfile");
    private readonly byte[] _key;

    private KeyFileSeal(byte[] key) => _key = key;

    public string Kind => "keyfile";

    public static KeyFileSeal OpenOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            var fresh = RandomNumberGenerator.GetBytes(KeyRing.KeySize);
            PrivateFile.WriteAtomically(path, fresh, ownerOnly: true);
            return new KeyFileSeal(fresh);
        }
        var key = File.ReadAllBytes(path);
        if (key.Length != KeyRing.KeySize)
        {
            CryptographicOperations.ZeroMemory(key);
            throw new InvalidOperationException($"The seal key file '{path}' is not a {KeyRing.KeySize}-byte key.");
        }
        return new KeyFileSeal(key);
    }

    public Task<byte[]> WrapAsync(ReadOnlyMemory<byte> rootKey, CancellationToken cancellationToken) =>
        Task.FromResult(AesGcmEnvelope.Seal(_key, 0, rootKey.Span, AssociatedData));

    public Task<byte[]> UnwrapAsync(ReadOnlyMemory<byte> wrappedRootKey, CancellationToken cancellationToken) =>
        Task.FromResult(AesGcmEnvelope.Open(_key, wrappedRootKey.Span, AssociatedData));

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);
}
