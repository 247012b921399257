using System.Buffers.Binary;
using System.Text;
using Keyhub.Core.Barrier;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Tests.Barrier;

public sealed class KeyRingTests
{
    private const int EntrySize = 4 + 8 + KeyRing.KeySize;
    private static readonly DateTimeOffset T0 = new(2025, 3, 14, 15, 9, 26, TimeSpan.Zero);
    private static readonly RecordKey Record = new("hub", "secret-version", "db-password", "0123456789abcdef0123456789abcdef");

    [Fact]
    public void New_ring_has_one_active_term_numbered_1()
    {
        using var ring = KeyRing.CreateNew(T0);

        Assert.Equal(1u, ring.ActiveTerm);
        Assert.Equal([1u], ring.Terms);
        Assert.Equal(KeyRing.KeySize, ring.KeyFor(1).Length);
    }

    [Fact]
    public void Two_new_rings_have_different_keys()
    {
        using var a = KeyRing.CreateNew(T0);
        using var b = KeyRing.CreateNew(T0);

        Assert.False(a.KeyFor(1).SequenceEqual(b.KeyFor(1)));
    }

    [Fact]
    public void Serialized_ring_deserializes_to_the_same_terms_and_keys()
    {
        using var ring = KeyRing.CreateNew(T0);
        ring.Rotate(T0.AddDays(1));
        ring.Rotate(T0.AddDays(2));

        var bytes = ring.Serialize();
        using var copy = KeyRing.Deserialize(bytes);

        Assert.Equal(4 + (3 * EntrySize), bytes.Length);
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(bytes));
        Assert.Equal(ring.Terms, copy.Terms);
        Assert.Equal(3u, copy.ActiveTerm);
        foreach (var term in ring.Terms)
        {
            Assert.True(ring.KeyFor(term).SequenceEqual(copy.KeyFor(term)), $"term {term}");
        }
        Assert.Equal(bytes, copy.Serialize());
    }

    [Fact]
    public void Rotation_adds_a_new_active_term_and_old_records_still_decrypt()
    {
        using var ring = KeyRing.CreateNew(T0);
        var barrier = new RecordBarrier(ring);
        var old = barrier.Encrypt(Record, Encoding.UTF8.GetBytes("written under term 1"));

        var next = ring.Rotate(T0.AddDays(30));
        var fresh = barrier.Encrypt(Record, Encoding.UTF8.GetBytes("written under term 2"));

        Assert.Equal(2u, next);
        Assert.Equal(2u, ring.ActiveTerm);
        Assert.Equal([1u, 2u], ring.Terms);
        Assert.False(ring.KeyFor(1).SequenceEqual(ring.KeyFor(2)));
        Assert.Equal(1u, AesGcmEnvelope.ReadTerm(old));
        Assert.Equal(2u, AesGcmEnvelope.ReadTerm(fresh));
        Assert.Equal("written under term 1", Encoding.UTF8.GetString(barrier.Decrypt(Record, old)));
        Assert.Equal("written under term 2", Encoding.UTF8.GetString(barrier.Decrypt(Record, fresh)));
    }

    [Fact]
    public void Rotated_ring_reloaded_from_its_serialized_form_decrypts_records_of_every_term()
    {
        using var ring = KeyRing.CreateNew(T0);
        var old = new RecordBarrier(ring).Encrypt(Record, "one"u8);
        ring.Rotate(T0.AddDays(1));
        var fresh = new RecordBarrier(ring).Encrypt(Record, "two"u8);

        using var reloaded = KeyRing.Deserialize(ring.Serialize());
        var barrier = new RecordBarrier(reloaded);

        Assert.Equal("one"u8.ToArray(), barrier.Decrypt(Record, old));
        Assert.Equal("two"u8.ToArray(), barrier.Decrypt(Record, fresh));
    }

    [Fact]
    public void Key_for_an_unknown_term_is_the_opaque_barrier_error()
    {
        using var ring = KeyRing.CreateNew(T0);

        Assert.Throws<BarrierException>(() => ring.KeyFor(2).Length);
    }

    public static TheoryData<string> MalformedForms =>
    [
        "empty",
        "three bytes",
        "count 0",
        "count negative",
        "count 1, one byte short",
        "count 1, one byte extra",
        "count 2, one entry",
        "count overflowing the length check",
        "the same term twice",
        "creation time out of range",
    ];

    [Theory]
    [MemberData(nameof(MalformedForms))]
    public void Malformed_serialized_forms_are_refused_with_the_opaque_barrier_error(string form)
    {
        using var ring = KeyRing.CreateNew(T0);
        ring.Rotate(T0);
        var valid = ring.Serialize();
        byte[] data = form switch
        {
            "empty" => [],
            "three bytes" => [0, 0, 0],
            "count 0" => [0, 0, 0, 0],
            "count negative" => [0xff, 0xff, 0xff, 0xff, .. valid[4..]],
            "count 1, one byte short" => WithCount(valid[..(4 + EntrySize - 1)], 1),
            "count 1, one byte extra" => WithCount(valid[..(4 + EntrySize + 1)], 1),
            "count 2, one entry" => valid[..(4 + EntrySize)],
            // 4 + (2^30 + 1) * 44 wraps to 48 in 32-bit arithmetic, the length of a one-entry ring.
            "count overflowing the length check" => WithCount(valid[..(4 + EntrySize)], (1 << 30) + 1),
            "the same term twice" => [.. valid[..4], .. valid[4..(4 + EntrySize)], .. valid[4..(4 + EntrySize)]],
            "creation time out of range" => WithCreated(valid, long.MaxValue),
            _ => throw new ArgumentOutOfRangeException(nameof(form), form, null),
        };

        Assert.Throws<BarrierException>(() => KeyRing.Deserialize(data).Dispose());
    }

    [Fact]
    public void Dispose_zeroes_every_key_and_forgets_the_terms()
    {
        var ring = KeyRing.CreateNew(T0);
        ring.Rotate(T0);
        var first = ring.KeyFor(1);
        var second = ring.KeyFor(2);
        Assert.True(first.ContainsAnyExcept((byte)0));
        Assert.True(second.ContainsAnyExcept((byte)0));

        ring.Dispose();

        Assert.False(first.ContainsAnyExcept((byte)0));
        Assert.False(second.ContainsAnyExcept((byte)0));
        Assert.Empty(ring.Terms);
        Assert.Throws<BarrierException>(() => ring.KeyFor(1).Length);
    }

    private static byte[] WithCount(byte[] data, int count)
    {
        var copy = (byte[])data.Clone();
        BinaryPrimitives.WriteInt32BigEndian(copy, count);
        return copy;
    }

    private static byte[] WithCreated(byte[] data, long seconds)
    {
        var copy = (byte[])data.Clone();
        BinaryPrimitives.WriteInt64BigEndian(copy.AsSpan(4 + 4), seconds);
        return copy;
    }
}
