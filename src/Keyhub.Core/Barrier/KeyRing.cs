using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Keyhub.Core.Barrier;

/// <summary>
/// Numbered AES-256 keys ("terms"). New records are encrypted under the active (highest) term; old
/// terms stay for decryption, so rotation needs no re-encryption.
/// Serialized form: <c>count (BE32) ‖ { term (BE32) ‖ created unix seconds (BE64) ‖ key (32) }*</c>.
/// </summary>
public sealed class KeyRing : IDisposable
{
    public const int KeySize = 32;
    private const int EntrySize = 4 + 8 + KeySize;
    private static readonly long MinUnixSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();
    private readonly SortedDictionary<uint, Term> _terms = [];

    private KeyRing()
    {
    }

    public uint ActiveTerm => _terms.Keys.Max();

    public IReadOnlyCollection<uint> Terms => _terms.Keys;

    public static KeyRing CreateNew(DateTimeOffset now)
    {
        var ring = new KeyRing();
        ring.AddTerm(1, RandomNumberGenerator.GetBytes(KeySize), now);
        return ring;
    }

    /// <summary>Adds a term one above the active one and makes it active.</summary>
    public uint Rotate(DateTimeOffset now)
    {
        var next = ActiveTerm + 1;
        AddTerm(next, RandomNumberGenerator.GetBytes(KeySize), now);
        return next;
    }

    /// <summary>
    /// A new ring with every term of this one (copied) plus a new active term. Online rotation swaps rings
    /// instead of changing one that concurrent requests are reading.
    /// </summary>
    public KeyRing WithNewTerm(DateTimeOffset now)
    {
        var ring = new KeyRing();
        foreach (var (number, term) in _terms)
        {
            ring.AddTerm(number, term.Key.ToArray(), term.Created);
        }
        ring.AddTerm(ActiveTerm + 1, RandomNumberGenerator.GetBytes(KeySize), now);
        return ring;
    }

    /// <summary>
    /// A new ring with every term but <paramref name="term"/> (retired: no record is encrypted under it any more).
    /// The active term cannot be removed.
    /// </summary>
    public KeyRing WithoutTerm(uint term)
    {
        if (term == ActiveTerm || !_terms.ContainsKey(term))
        {
            throw new ArgumentOutOfRangeException(nameof(term), "Only an existing, inactive term can be removed.");
        }
        var ring = new KeyRing();
        foreach (var (number, entry) in _terms.Where(t => t.Key != term))
        {
            ring.AddTerm(number, entry.Key.ToArray(), entry.Created);
        }
        return ring;
    }

    /// <summary>When <paramref name="term"/> was created (a term stops encrypting when the next one is created).</summary>
    public DateTimeOffset CreatedOf(uint term) =>
        _terms.TryGetValue(term, out var t) ? t.Created : throw new ArgumentOutOfRangeException(nameof(term));

    internal ReadOnlySpan<byte> KeyFor(uint term) =>
        _terms.TryGetValue(term, out var t) ? t.Key : throw new BarrierException();

    public byte[] Serialize()
    {
        var output = new byte[4 + (_terms.Count * (4 + 8 + KeySize))];
        BinaryPrimitives.WriteInt32BigEndian(output, _terms.Count);
        var offset = 4;
        foreach (var (number, term) in _terms)
        {
            BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(offset), number);
            BinaryPrimitives.WriteInt64BigEndian(output.AsSpan(offset + 4), term.Created.ToUnixTimeSeconds());
            term.Key.CopyTo(output.AsSpan(offset + 12));
            offset += 4 + 8 + KeySize;
        }
        return output;
    }

    public static KeyRing Deserialize(ReadOnlySpan<byte> data)
    {
        // Every defect, including ones the arithmetic or the dictionary would report differently,
        // is the one opaque barrier error.
        if (data.Length < 4 + EntrySize || (data.Length - 4) % EntrySize != 0
            || BinaryPrimitives.ReadInt32BigEndian(data) != (data.Length - 4) / EntrySize)
        {
            throw new BarrierException();
        }
        var count = (data.Length - 4) / EntrySize;
        var ring = new KeyRing();
        var offset = 4;
        for (var i = 0; i < count; i++)
        {
            var number = BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);
            var seconds = BinaryPrimitives.ReadInt64BigEndian(data[(offset + 4)..]);
            if (seconds < MinUnixSeconds || seconds > MaxUnixSeconds || ring._terms.ContainsKey(number))
            {
                ring.Dispose();
                throw new BarrierException();
            }
            ring.AddTerm(number, data.Slice(offset + 12, KeySize).ToArray(), DateTimeOffset.FromUnixTimeSeconds(seconds));
            offset += EntrySize;
        }
        return ring;
    }

    public void Dispose()
    {
        foreach (var term in _terms.Values)
        {
            CryptographicOperations.ZeroMemory(term.Key);
        }
        _terms.Clear();
    }

    private void AddTerm(uint number, byte[] key, DateTimeOffset created) => _terms.Add(number, new Term(key, created));

    private sealed record Term(byte[] Key, DateTimeOffset Created);
}
