using System.Security.Cryptography;

namespace Keyhub.Pkcs11.Tests;

[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11TokenKeyWrapTests(Pkcs11TokenKeyWrapTests.Keys keys) : IClassFixture<Pkcs11TokenKeyWrapTests.Keys>
{
    private Pkcs11Token Token => keys.Token;

    [SoftHsmTheory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    [InlineData(40)]
    [InlineData(64)]
    public void A_wrapped_key_unwraps_to_the_same_bytes_and_is_eight_bytes_longer(int length)
    {
        var key = RandomNumberGenerator.GetBytes(length);

        var wrapped = Token.WrapKeyAes(keys.KekId, key);

        Assert.Equal(length + 8, wrapped.Length);
        Assert.NotEqual(key, wrapped[8..]);
        Assert.Equal(key, Token.UnwrapKeyAes(keys.KekId, wrapped));
    }

    [SoftHsmFact]
    public void Wrapping_is_deterministic_as_rfc3394_is()
    {
        var key = RandomNumberGenerator.GetBytes(32);

        Assert.Equal(Token.WrapKeyAes(keys.KekId, key), Token.WrapKeyAes(keys.KekId, key));
        Assert.NotEqual(Token.WrapKeyAes(keys.KekId, key), Token.WrapKeyAes(keys.OtherKekId, key));
    }

    [SoftHsmFact]
    public void A_tampered_truncated_or_foreign_wrap_fails_to_unwrap()
    {
        var wrapped = Token.WrapKeyAes(keys.KekId, RandomNumberGenerator.GetBytes(32));

        var attempts = new List<(string Case, byte[] Wrapped, byte[] Kek)>
        {
            ("truncated by a block", wrapped[..^8], keys.KekId),
            ("extended by a block", [.. wrapped, 0, 0, 0, 0, 0, 0, 0, 0], keys.KekId),
            ("other key", wrapped, keys.OtherKekId),
        };
        for (var i = 0; i < wrapped.Length; i += 5)
        {
            var flipped = (byte[])wrapped.Clone();
            flipped[i] ^= 0x01;
            attempts.Add(($"bit flipped at {i}", flipped, keys.KekId));
        }

        foreach (var (name, bytes, kek) in attempts)
        {
            var e = Assert.Throws<Pkcs11Exception>(() => Token.UnwrapKeyAes(kek, bytes));
            Assert.True(e.Message == "unwrap failed", $"{name}: {e.Message}");
        }
    }

    [SoftHsmFact]
    public void Malformed_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Token.WrapKeyAes(keys.KekId, new byte[8]));
        Assert.Throws<ArgumentException>(() => Token.WrapKeyAes(keys.KekId, new byte[17]));
        Assert.Equal("unwrap failed", Assert.Throws<Pkcs11Exception>(() => Token.UnwrapKeyAes(keys.KekId, new byte[16])).Message);
        Assert.Equal("unwrap failed", Assert.Throws<Pkcs11Exception>(() => Token.UnwrapKeyAes(keys.KekId, new byte[25])).Message);
    }

    [SoftHsmFact]
    public void Wrapping_leaves_no_key_objects_on_the_token()
    {
        var before = Token.ListKeyIds().Count;

        Token.UnwrapKeyAes(keys.KekId, Token.WrapKeyAes(keys.KekId, new byte[32]));
        Assert.Throws<Pkcs11Exception>(() => Token.UnwrapKeyAes(keys.KekId, new byte[40]));

        Assert.Equal(before, Token.ListKeyIds().Count);
    }

    [SoftHsmFact]
    public void Wrapping_with_a_missing_key_is_not_found()
    {
        Assert.Throws<Pkcs11ObjectNotFoundException>(() => Token.WrapKeyAes(TokenFixture.NewId(), new byte[16]));
    }

    public sealed class Keys : TokenFixture
    {
        public Keys()
            : base("key-wrap")
        {
            if (SoftHsm.IsAvailable)
            {
                Token.GenerateAesKey(KekId, "kek", 32);
                Token.GenerateAesKey(OtherKekId, "other kek", 16);
            }
        }

        public byte[] KekId { get; } = NewId();

        public byte[] OtherKekId { get; } = NewId();
    }
}
