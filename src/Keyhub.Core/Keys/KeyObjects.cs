using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Keyhub.Core.Keys;

/// <summary>
/// Imported RSA and ECDsa objects, pooled per key. Importing a private RSA key makes OpenSSL check the
/// key (primality of p and q), which costs more than the signature itself, so doing it once per key
/// instead of once per operation is most of the crypto path's speed.
/// </summary>
/// <remarks>
/// Objects are identified by a SHA-256 over every component they were built from, so a lease is always
/// for exactly the material the caller holds. Each object serves one operation at a time. The pool is
/// bounded: past <see cref="MaxKeys"/> keys it is emptied (idle objects disposed), so material of keys
/// no longer used does not stay in memory indefinitely.
/// </remarks>
internal static class KeyObjects
{
    private const int MaxKeys = 512;
    private static readonly int s_maxIdlePerKey = Environment.ProcessorCount * 2;
    private static readonly ConcurrentDictionary<string, Pool> s_pools = new(StringComparer.Ordinal);
    private static readonly Lock s_gate = new();

    public static Lease<RSA> Rsa(KeyMaterial key, bool includePrivate) =>
        Rent(key, includePrivate, static (k, p) => k.CreateRsa(p));

    public static Lease<ECDsa> Ecdsa(KeyMaterial key, bool includePrivate) =>
        Rent(key, includePrivate, static (k, p) => k.CreateEcdsa(p));

    /// <summary>Disposes every idle object (tests, and callers that want material out of memory now).</summary>
    public static void Clear()
    {
        lock (s_gate)
        {
            foreach (var pool in s_pools.Values)
            {
                pool.Retire();
            }
            s_pools.Clear();
        }
    }

    private static Lease<T> Rent<T>(KeyMaterial key, bool includePrivate, Func<KeyMaterial, bool, T> create)
        where T : AsymmetricAlgorithm
    {
        var id = Fingerprint(key, includePrivate);
        if (!s_pools.TryGetValue(id, out var pool))
        {
            lock (s_gate)
            {
                if (!s_pools.TryGetValue(id, out pool))
                {
                    if (s_pools.Count >= MaxKeys)
                    {
                        foreach (var old in s_pools.Values)
                        {
                            old.Retire();
                        }
                        s_pools.Clear();
                    }
                    pool = new Pool();
                    s_pools[id] = pool;
                }
            }
        }
        return new Lease<T>(pool.TryTake() as T ?? create(key, includePrivate), pool);
    }

    private static string Fingerprint(KeyMaterial key, bool includePrivate)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        var header = System.Text.Encoding.UTF8.GetBytes($"{key.Kty}|{key.Crv}|{includePrivate}");
        foreach (var part in includePrivate
            ? new[] { header, key.N, key.E, key.X, key.Y, key.D, key.P, key.Q, key.DP, key.DQ, key.QI }
            : new[] { header, key.N, key.E, key.X, key.Y })
        {
            // Length-prefixed, so no two different component lists hash the same input.
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, part?.Length ?? -1);
            hash.AppendData(length);
            if (part is not null)
            {
                hash.AppendData(part);
            }
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    internal sealed class Pool
    {
        private readonly ConcurrentBag<AsymmetricAlgorithm> _idle = [];
        private volatile bool _retired;

        public AsymmetricAlgorithm? TryTake() => _idle.TryTake(out var key) ? key : null;

        public void Return(AsymmetricAlgorithm key)
        {
            if (_retired || _idle.Count >= s_maxIdlePerKey)
            {
                key.Dispose();
                return;
            }
            _idle.Add(key);
            // Retired while being returned: make sure nothing stays behind.
            if (_retired)
            {
                Drain();
            }
        }

        public void Retire()
        {
            _retired = true;
            Drain();
        }

        private void Drain()
        {
            while (_idle.TryTake(out var key))
            {
                key.Dispose();
            }
        }
    }
}

/// <summary>One key object on loan for one operation; disposing gives it back to its pool.</summary>
internal readonly struct Lease<T>(T key, KeyObjects.Pool pool) : IDisposable
    where T : AsymmetricAlgorithm
{
    public T Key { get; } = key;

    public void Dispose() => pool.Return(Key);
}
