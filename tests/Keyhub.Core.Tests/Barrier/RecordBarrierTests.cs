using System.Text;
using Keyhub.Core.Barrier;
using Keyhub.Core.Storage;

namespace Keyhub.Core.Tests.Barrier;

public sealed class RecordBarrierTests : IDisposable
{
    private const string Version = "0123456789abcdef0123456789abcdef";
    private static readonly RecordKey Original = new("hub", "secret-version", "db-password", Version);
    private readonly KeyRing _ring = KeyRing.CreateNew(new DateTimeOffset(2025, 3, 14, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => _ring.Dispose();

    [Fact]
    public void Decrypt_returns_what_Encrypt_was_given_for_the_same_record_key()
    {
        var barrier = new RecordBarrier(_ring);

        var ciphertext = barrier.Encrypt(Original, "s3cr3t"u8);

        Assert.Equal("s3cr3t"u8.ToArray(), barrier.Decrypt(Original, ciphertext));
    }

    [Fact]
    public void Ciphertext_is_an_envelope_under_the_active_term()
    {
        var barrier = new RecordBarrier(_ring);
        _ring.Rotate(DateTimeOffset.UnixEpoch);

        var ciphertext = barrier.Encrypt(Original, "s3cr3t"u8);

        Assert.Equal(AesGcmEnvelope.Version, ciphertext[0]);
        Assert.Equal(2u, AesGcmEnvelope.ReadTerm(ciphertext));
    }

    public static TheoryData<string, string, string, string> OtherRecords => new()
    {
        { "hub2", "secret-version", "db-password", Version },
        { "HUB", "secret-version", "db-password", Version },
        { "hub", "secret", "db-password", Version },
        { "hub", "key-version", "db-password", Version },
        { "hub", "secret-version", "db-password2", Version },
        { "hub", "secret-version", "DB-PASSWORD", Version },
        { "hub", "secret-version", "db-password", "fedcba9876543210fedcba9876543210" },
        { "hub", "secret-version", "db-password", "" },
        { "_sys", "secret-version", "db-password", Version },
    };

    [Theory]
    [MemberData(nameof(OtherRecords))]
    public void Ciphertext_moved_to_another_record_key_does_not_decrypt(string vault, string kind, string name, string version)
    {
        var barrier = new RecordBarrier(_ring);
        var ciphertext = barrier.Encrypt(Original, "s3cr3t"u8);

        Assert.Throws<BarrierException>(() => barrier.Decrypt(new RecordKey(vault, kind, name, version), ciphertext));
    }

    // Each key is "vault|kind|name|version".
    public static TheoryData<string, string> ConcatenationLookAlikes => new()
    {
        { "ab|c|n|v", "a|bc|n|v" },
        { "hub|secret|ab|", "hub|secret|a|b" },
        { "hub|secret||ab", "hub|secret|a|b" },
        { "hub|secretx||", "hub|secret|x|" },
    };

    [Theory]
    [MemberData(nameof(ConcatenationLookAlikes))]
    public void Record_keys_whose_parts_concatenate_alike_have_different_associated_data(string first, string second)
    {
        var a = Parse(first);
        var b = Parse(second);
        var barrier = new RecordBarrier(_ring);

        Assert.NotEqual(a.ToAssociatedData(), b.ToAssociatedData());
        Assert.Throws<BarrierException>(() => barrier.Decrypt(b, barrier.Encrypt(a, "x"u8)));
        Assert.Throws<BarrierException>(() => barrier.Decrypt(a, barrier.Encrypt(b, "x"u8)));
    }

    [Fact]
    public void Associated_data_is_each_part_as_big_endian_length_then_UTF8()
    {
        var key = new RecordKey("hub", "k", "é", "");

        Assert.Equal(
            [0, 0, 0, 3, (byte)'h', (byte)'u', (byte)'b', 0, 0, 0, 1, (byte)'k', 0, 0, 0, 2, 0xc3, 0xa9, 0, 0, 0, 0],
            key.ToAssociatedData());
    }

    [Fact]
    public void Ciphertext_naming_a_term_the_ring_lacks_is_the_opaque_barrier_error()
    {
        var barrier = new RecordBarrier(_ring);
        var ciphertext = barrier.Encrypt(Original, "s3cr3t"u8);
        ciphertext[4] = 99;

        Assert.Throws<BarrierException>(() => barrier.Decrypt(Original, ciphertext));
    }

    [Fact]
    public void Ciphertext_from_another_ring_with_the_same_term_does_not_decrypt()
    {
        using var other = KeyRing.CreateNew(DateTimeOffset.UnixEpoch);
        var ciphertext = new RecordBarrier(other).Encrypt(Original, "s3cr3t"u8);

        Assert.Throws<BarrierException>(() => new RecordBarrier(_ring).Decrypt(Original, ciphertext));
    }

    [Fact]
    public void Free_form_associated_data_round_trips_and_binds()
    {
        var barrier = new RecordBarrier(_ring);
        var ciphertext = barrier.Encrypt("blob"u8, Encoding.UTF8.GetBytes("keyhub/backup/secret/v1"));

        Assert.Equal("blob"u8.ToArray(), barrier.Decrypt(ciphertext, Encoding.UTF8.GetBytes("keyhub/backup/secret/v1")));
        Assert.Throws<BarrierException>(() => barrier.Decrypt(ciphertext, Encoding.UTF8.GetBytes("keyhub/backup/secret/v2")));
    }

    private static RecordKey Parse(string key)
    {
        var parts = key.Split('|');
        return new RecordKey(parts[0], parts[1], parts[2], parts[3]);
    }
}
