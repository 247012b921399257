using System.Security.Cryptography;
using Keyhub.Core.Keys;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace Keyhub.Core.Tests.Keys;

public sealed class AesKeyWrapTests
{
    private const string Kek128 = "000102030405060708090A0B0C0D0E0F";
    private const string Kek192 = Kek128 + "1011121314151617";
    private const string Kek256 = Kek192 + "18191A1B1C1D1E1F";
    private const string Data128 = "00112233445566778899AABBCCDDEEFF";
    private const string Data192 = Data128 + "0001020304050607";
    private const string Data256 = Data192 + "08090A0B0C0D0E0F";

    private static readonly string OpaqueMessage = CaptureIntegrityFailureMessage();

    // RFC 3394 §4.1–§4.6, ciphertexts as published.
    public static TheoryData<string, string, string, string> Rfc3394Vectors => new()
    {
        { "4.1 128-bit KEK, 128-bit key data", Kek128, Data128, "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5" },
        { "4.2 192-bit KEK, 128-bit key data", Kek192, Data128, "96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D" },
        { "4.3 256-bit KEK, 128-bit key data", Kek256, Data128, "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7" },
        { "4.4 192-bit KEK, 192-bit key data", Kek192, Data192, "031D33264E15D33268F24EC260743EDCE1C6C7DDEE725A936BA814915C6762D2" },
        { "4.5 256-bit KEK, 192-bit key data", Kek256, Data192, "A8F9BC1612C68B3FF6E6F4FBE30E71E4769C8B80A32CB8958CD5D17D6B254DA1" },
        { "4.6 256-bit KEK, 256-bit key data", Kek256, Data256, "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21" },
    };

    [Theory]
    [MemberData(nameof(Rfc3394Vectors))]
    public void Wrap_reproduces_the_RFC_3394_test_vectors(string section, string kek, string keyData, string wrapped)
    {
        _ = section;

        Assert.Equal(wrapped, Convert.ToHexString(AesKeyWrap.Wrap(Convert.FromHexString(kek), Convert.FromHexString(keyData))));
    }

    [Theory]
    [MemberData(nameof(Rfc3394Vectors))]
    public void Unwrap_recovers_the_key_data_of_the_RFC_3394_test_vectors(string section, string kek, string keyData, string wrapped)
    {
        _ = section;

        Assert.Equal(keyData, Convert.ToHexString(AesKeyWrap.Unwrap(Convert.FromHexString(kek), Convert.FromHexString(wrapped))));
    }

    [Fact]
    public void Wrap_is_not_the_padded_RFC_5649_variant_that_dotnet_ships()
    {
        var kek = Convert.FromHexString(Kek128);
        using var aes = Aes.Create();
        aes.Key = kek;

        Assert.NotEqual(aes.EncryptKeyWrapPadded(Convert.FromHexString(Data128)), AesKeyWrap.Wrap(kek, Convert.FromHexString(Data128)));
    }

    public static TheoryData<int, int> Sizes()
    {
        var data = new TheoryData<int, int>();
        foreach (var kekSize in new[] { 16, 24, 32 })
        {
            foreach (var keyDataSize in new[] { 16, 24, 32, 40, 48, 64, 72, 128, 256, 512, 1000, 4096 })
            {
                data.Add(kekSize, keyDataSize);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Wrap_agrees_with_BouncyCastle_in_both_directions(int kekSize, int keyDataSize)
    {
        for (var round = 0; round < 8; round++)
        {
            var kek = RandomNumberGenerator.GetBytes(kekSize);
            var keyData = RandomNumberGenerator.GetBytes(keyDataSize);

            var ours = AesKeyWrap.Wrap(kek, keyData);
            var theirs = BouncyCastleWrap(kek, keyData);

            Assert.Equal(theirs, ours);
            Assert.Equal(keyData, BouncyCastleUnwrap(kek, ours));
            Assert.Equal(keyData, AesKeyWrap.Unwrap(kek, theirs));
        }
    }

    [Fact]
    public void Wrapped_key_is_one_block_longer_and_deterministic()
    {
        var kek = RandomNumberGenerator.GetBytes(32);
        var keyData = RandomNumberGenerator.GetBytes(32);

        var first = AesKeyWrap.Wrap(kek, keyData);

        Assert.Equal(40, first.Length);
        Assert.Equal(first, AesKeyWrap.Wrap(kek, keyData));
        Assert.Equal(-1, first.AsSpan().IndexOf(keyData.AsSpan(0, 8)));
    }

    [Theory]
    [MemberData(nameof(Rfc3394Vectors))]
    public void A_bit_flipped_anywhere_fails_with_the_one_opaque_error(string section, string kek, string keyData, string wrapped)
    {
        _ = section;
        _ = keyData;
        var key = Convert.FromHexString(kek);
        var original = Convert.FromHexString(wrapped);

        for (var bit = 0; bit < original.Length * 8; bit++)
        {
            var tampered = (byte[])original.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));

            var error = Assert.Throws<CryptographicException>(() => AesKeyWrap.Unwrap(key, tampered));
            Assert.Equal(OpaqueMessage, error.Message);
        }
    }

    public static TheoryData<string> Tampers =>
    [
        "wrong KEK of the same size",
        "KEK with one bit flipped",
        "KEK of another size",
        "first two data blocks swapped",
        "integrity block swapped with a data block",
        "truncated by one block",
        "extended by one zero block",
        "extended by a copy of the last block",
        "all zeros",
    ];

    [Theory]
    [MemberData(nameof(Tampers))]
    public void Tampering_of_a_well_formed_length_fails_with_the_one_opaque_error(string tamper)
    {
        var kek = RandomNumberGenerator.GetBytes(32);
        var keyData = RandomNumberGenerator.GetBytes(32);
        var wrapped = AesKeyWrap.Wrap(kek, keyData);
        var unwrapKek = kek;
        switch (tamper)
        {
            case "wrong KEK of the same size": unwrapKek = RandomNumberGenerator.GetBytes(32); break;
            case "KEK with one bit flipped": unwrapKek = (byte[])kek.Clone(); unwrapKek[31] ^= 0x01; break;
            case "KEK of another size": unwrapKek = kek[..16]; break;
            case "first two data blocks swapped": wrapped = [.. wrapped[..8], .. wrapped[16..24], .. wrapped[8..16], .. wrapped[24..]]; break;
            case "integrity block swapped with a data block": wrapped = [.. wrapped[8..16], .. wrapped[..8], .. wrapped[16..]]; break;
            case "truncated by one block": wrapped = wrapped[..^8]; break;
            case "extended by one zero block": wrapped = [.. wrapped, .. new byte[8]]; break;
            case "extended by a copy of the last block": wrapped = [.. wrapped, .. wrapped[^8..]]; break;
            case "all zeros": wrapped = new byte[wrapped.Length]; break;
            default: throw new InvalidOperationException(tamper);
        }

        var error = Assert.Throws<CryptographicException>(() => AesKeyWrap.Unwrap(unwrapKek, wrapped));

        Assert.Equal(OpaqueMessage, error.Message);
    }

    [Fact]
    public void Integrity_failure_message_carries_no_data()
    {
        var kek = Convert.FromHexString(Kek128);
        var wrapped = Convert.FromHexString("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5");
        wrapped[0] ^= 0x01;

        var error = Assert.Throws<CryptographicException>(() => AesKeyWrap.Unwrap(kek, wrapped));

        Assert.DoesNotMatch("[0-9A-Fa-f]{8}", error.Message);
        Assert.Null(error.InnerException);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(20)]
    [InlineData(23)]
    [InlineData(25)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(48)]
    [InlineData(64)]
    public void KEK_of_other_than_16_24_or_32_bytes_is_an_argument_error(int kekSize)
    {
        var kek = new byte[kekSize];

        Assert.Equal("kek", Assert.Throws<ArgumentException>(() => AesKeyWrap.Wrap(kek, new byte[16])).ParamName);
        Assert.Equal("kek", Assert.Throws<ArgumentException>(() => AesKeyWrap.Unwrap(kek, new byte[24])).ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(23)]
    [InlineData(31)]
    [InlineData(33)]
    public void Key_data_shorter_than_16_bytes_or_not_a_multiple_of_8_is_an_argument_error(int keyDataSize)
    {
        var error = Assert.Throws<ArgumentException>(() => AesKeyWrap.Wrap(new byte[32], new byte[keyDataSize]));

        Assert.Equal("keyData", error.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(23)]
    [InlineData(25)]
    [InlineData(39)]
    [InlineData(41)]
    public void Wrapped_key_shorter_than_24_bytes_or_not_a_multiple_of_8_is_an_argument_error(int wrappedSize)
    {
        var error = Assert.Throws<ArgumentException>(() => AesKeyWrap.Unwrap(new byte[32], new byte[wrappedSize]));

        Assert.Equal("wrapped", error.ParamName);
    }

    [Fact]
    public void Truncated_or_extended_by_less_than_a_block_is_an_argument_error()
    {
        var kek = Convert.FromHexString(Kek256);
        var wrapped = Convert.FromHexString("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21");

        for (var cut = 1; cut < 8; cut++)
        {
            var tooShort = wrapped[..^cut];
            var tooLong = wrapped.Concat(new byte[cut]).ToArray();
            Assert.Throws<ArgumentException>(() => AesKeyWrap.Unwrap(kek, tooShort));
            Assert.Throws<ArgumentException>(() => AesKeyWrap.Unwrap(kek, tooLong));
        }
    }

    private static string CaptureIntegrityFailureMessage()
    {
        var kek = new byte[16];
        return Assert.Throws<CryptographicException>(() => AesKeyWrap.Unwrap(kek, new byte[24])).Message;
    }

    private static byte[] BouncyCastleWrap(byte[] kek, byte[] keyData)
    {
        var engine = new AesWrapEngine();
        engine.Init(true, new KeyParameter(kek));
        return engine.Wrap(keyData, 0, keyData.Length);
    }

    private static byte[] BouncyCastleUnwrap(byte[] kek, byte[] wrapped)
    {
        var engine = new AesWrapEngine();
        engine.Init(false, new KeyParameter(kek));
        return engine.Unwrap(wrapped, 0, wrapped.Length);
    }
}
