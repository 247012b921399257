using System.Security.Cryptography;
using Keyhub.Core.Barrier;
using Keyhub.Core.Seal;

namespace Keyhub.Core.Tests.Support;

/// <summary>A seal over a key held in memory, so tests that only need an unsealed barrier touch no files.</summary>
internal sealed class InMemorySeal(byte[] key) : ISeal
{
    public static InMemorySeal CreateRandom() => new(RandomNumberGenerator.GetBytes(KeyRing.KeySize));

    public string Kind => "test";

    public Task<byte[]> WrapAsync(ReadOnlyMemory<byte> rootKey, CancellationToken cancellationToken) =>
        Task.FromResult(AesGcmEnvelope.Seal(key, 0, rootKey.Span, "keyhub/root-key/test"u8));

    public Task<byte[]> UnwrapAsync(ReadOnlyMemory<byte> wrappedRootKey, CancellationToken cancellationToken) =>
        Task.FromResult(AesGcmEnvelope.Open(key, wrappedRootKey.Span, "keyhub/root-key/test"u8));
}
