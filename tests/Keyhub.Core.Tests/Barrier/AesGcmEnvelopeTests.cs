using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Keyhub.Core.Barrier;

namespace Keyhub.Core.Tests.Barrier;

public sealed class AesGcmEnvelopeTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] Plaintext = Encoding.UTF8.GetBytes("the quick brown fox jumps over the lazy dog");
    private static readonly byte[] AssociatedData = Encoding.UTF8.GetBytes("vault/secret/name/version");
    private static readonly string OpaqueMessage = new BarrierException().Message;

    // Written once by AesGcmEnvelope.Seal (format version 0x01) and committed: every later version of
    // Keyhub must still open it, or records written by this version become unreadable.
    private const string GoldenKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private const uint GoldenTerm = 7;
    private const string GoldenPlaintext = "Keyhub golden plaintext, envelope v1";
    private const string GoldenAssociatedData = "keyhub/golden/associated-data";
    private const string GoldenEnvelopeHex =
        "01000000070f251af1a6ed75b836c508a6549ec365923c6f8d8f2d119a0ee254a4eea791208c5fc5e8" +
        "9d75f552883caf0692c027c4e70d8c1997762fc3b30ecdc1f407e81e";

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(4096)]
    public void Open_returns_what_Seal_was_given(int length)
    {
        var plaintext = RandomNumberGenerator.GetBytes(length);

        var envelope = AesGcmEnvelope.Seal(Key, 3, plaintext, AssociatedData);

        Assert.Equal(plaintext, AesGcmEnvelope.Open(Key, envelope, AssociatedData));
    }

    [Fact]
    public void Envelope_is_version_then_big_endian_term_then_nonce_ciphertext_and_tag()
    {
        var envelope = AesGcmEnvelope.Seal(Key, 0x01020304, Plaintext, AssociatedData);

        Assert.Equal(0x01, envelope[0]);
        Assert.Equal(new byte[] { 0x01, 0x02, 0x03, 0x04 }, envelope[1..5]);
        Assert.Equal(33 + Plaintext.Length, envelope.Length);
        Assert.Equal(33, AesGcmEnvelope.Overhead);
        Assert.Equal(0x01020304u, AesGcmEnvelope.ReadTerm(envelope));
    }

    [Fact]
    public void Envelope_is_standard_AES_GCM_with_the_header_prepended_to_the_associated_data()
    {
        var envelope = AesGcmEnvelope.Seal(Key, 9, Plaintext, AssociatedData);

        var plaintext = new byte[Plaintext.Length];
        using var gcm = new AesGcm(Key, 16);
        gcm.Decrypt(
            envelope.AsSpan(5, 12),
            envelope.AsSpan(17, Plaintext.Length),
            envelope.AsSpan(17 + Plaintext.Length, 16),
            plaintext,
            [.. envelope[..5], .. AssociatedData]);

        Assert.Equal(Plaintext, plaintext);
    }

    [Fact]
    public void Two_seals_of_the_same_plaintext_differ_because_each_has_a_fresh_nonce()
    {
        var first = AesGcmEnvelope.Seal(Key, 1, Plaintext, AssociatedData);
        var second = AesGcmEnvelope.Seal(Key, 1, Plaintext, AssociatedData);

        Assert.NotEqual(first[5..17], second[5..17]);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Ciphertext_does_not_contain_the_plaintext()
    {
        var envelope = AesGcmEnvelope.Seal(Key, 1, Plaintext, AssociatedData);

        Assert.Equal(-1, envelope.AsSpan().IndexOf(Plaintext));
    }

    public static TheoryData<string> Tampers =>
    [
        "version byte changed to 0x02",
        "version byte changed to 0x00",
        "term changed",
        "nonce bit flipped",
        "ciphertext bit flipped",
        "tag bit flipped",
        "truncated by 1",
        "extended by 1",
        "truncated to the overhead minus 1",
        "empty",
        "wrong associated data",
        "associated data missing",
        "wrong key",
    ];

    [Theory]
    [MemberData(nameof(Tampers))]
    public void Any_tampering_fails_with_the_one_opaque_error(string tamper)
    {
        var envelope = AesGcmEnvelope.Seal(Key, 5, Plaintext, AssociatedData);
        var key = Key;
        var associatedData = AssociatedData;
        switch (tamper)
        {
            case "version byte changed to 0x02": envelope[0] = 0x02; break;
            case "version byte changed to 0x00": envelope[0] = 0x00; break;
            case "term changed": envelope[4] ^= 0x01; break;
            case "nonce bit flipped": envelope[5] ^= 0x80; break;
            case "ciphertext bit flipped": envelope[17 + 7] ^= 0x01; break;
            case "tag bit flipped": envelope[^1] ^= 0x01; break;
            case "truncated by 1": envelope = envelope[..^1]; break;
            case "extended by 1": envelope = [.. envelope, 0x00]; break;
            case "truncated to the overhead minus 1": envelope = envelope[..(AesGcmEnvelope.Overhead - 1)]; break;
            case "empty": envelope = []; break;
            case "wrong associated data": associatedData = Encoding.UTF8.GetBytes("vault/secret/name/other"); break;
            case "associated data missing": associatedData = []; break;
            case "wrong key": key = RandomNumberGenerator.GetBytes(32); break;
            default: throw new ArgumentOutOfRangeException(nameof(tamper), tamper, null);
        }

        var error = Assert.Throws<BarrierException>(() => AesGcmEnvelope.Open(key, envelope, associatedData));

        Assert.Equal(OpaqueMessage, error.Message);
        Assert.Null(error.InnerException);
    }

    [Fact]
    public void Opaque_error_message_names_nothing_about_the_input()
    {
        Assert.Equal("The record could not be decrypted.", OpaqueMessage);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x02)]
    [InlineData(0xff)]
    public void ReadTerm_fails_closed_on_an_unknown_version(byte version)
    {
        var envelope = AesGcmEnvelope.Seal(Key, 5, Plaintext, AssociatedData);
        envelope[0] = version;

        Assert.Throws<BarrierException>(() => AesGcmEnvelope.ReadTerm(envelope));
    }

    [Fact]
    public void Golden_envelope_from_format_version_1_still_opens()
    {
        var envelope = Convert.FromHexString(GoldenEnvelopeHex);

        var plaintext = AesGcmEnvelope.Open(
            Convert.FromHexString(GoldenKeyHex), envelope, Encoding.UTF8.GetBytes(GoldenAssociatedData));

        Assert.Equal(GoldenPlaintext, Encoding.UTF8.GetString(plaintext));
        Assert.Equal(GoldenTerm, AesGcmEnvelope.ReadTerm(envelope));
        Assert.Equal(AesGcmEnvelope.Overhead + Encoding.UTF8.GetByteCount(GoldenPlaintext), envelope.Length);
    }

    [Fact]
    public void Golden_envelope_with_a_flipped_bit_does_not_open()
    {
        var envelope = Convert.FromHexString(GoldenEnvelopeHex);
        envelope[20] ^= 0x04;

        Assert.Throws<BarrierException>(() => AesGcmEnvelope.Open(
            Convert.FromHexString(GoldenKeyHex), envelope, Encoding.UTF8.GetBytes(GoldenAssociatedData)));
    }

    // Known answers from McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test cases
    // 13-16 (AES-256, 96-bit IV), checked against AesGcm itself so a platform crypto change is caught.
    public static TheoryData<string, string, string, string, string, string, string> GcmSpecVectors => new()
    {
        {
            "Test Case 13",
            "0000000000000000000000000000000000000000000000000000000000000000",
            "000000000000000000000000",
            "",
            "",
            "",
            "530f8afbc74536b9a963b4f1c4cb738b"
        },
        {
            "Test Case 14",
            "0000000000000000000000000000000000000000000000000000000000000000",
            "000000000000000000000000",
            "00000000000000000000000000000000",
            "",
            "cea7403d4d606b6e074ec5d3baf39d18",
            "d0d1c8a799996bf0265b98b5d48ab919"
        },
        {
            "Test Case 15",
            "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
            "cafebabefacedbaddecaf888",
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" +
            "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
            "",
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa" +
            "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
            "b094dac5d93471bdec1a502270e3cc6c"
        },
        {
            "Test Case 16",
            "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
            "cafebabefacedbaddecaf888",
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" +
            "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
            "feedfacedeadbeeffeedfacedeadbeefabaddad2",
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa" +
            "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
            "76fc6ece0f4e1768cddf8853bb2d551b"
        },
    };

    [Theory]
    [MemberData(nameof(GcmSpecVectors))]
    public void AES_256_GCM_matches_the_GCM_specification_test_vectors(
        string name, string key, string iv, string plaintext, string aad, string ciphertext, string tag)
    {
        using var gcm = new AesGcm(Convert.FromHexString(key), 16);
        var p = Convert.FromHexString(plaintext);
        var c = new byte[p.Length];
        var t = new byte[16];

        gcm.Encrypt(Convert.FromHexString(iv), p, c, t, Convert.FromHexString(aad));

        Assert.NotNull(name);
        Assert.Equal(ciphertext, Convert.ToHexStringLower(c));
        Assert.Equal(tag, Convert.ToHexStringLower(t));
        var decrypted = new byte[c.Length];
        gcm.Decrypt(Convert.FromHexString(iv), c, t, decrypted, Convert.FromHexString(aad));
        Assert.Equal(p, decrypted);
    }

    [Fact]
    public void Term_is_written_big_endian_for_every_value()
    {
        foreach (var term in new uint[] { 0, 1, 255, 256, uint.MaxValue })
        {
            var envelope = AesGcmEnvelope.Seal(Key, term, Plaintext, AssociatedData);

            Assert.Equal(term, BinaryPrimitives.ReadUInt32BigEndian(envelope.AsSpan(1, 4)));
            Assert.Equal(Plaintext, AesGcmEnvelope.Open(Key, envelope, AssociatedData));
        }
    }
}
