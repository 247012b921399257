using Keyhub.Core.Identity;

namespace Keyhub.Core.Tests.Identity;

public sealed class ClientSecretHasherTests
{
    [Fact]
    public void Hash_of_a_secret_verifies_that_secret()
    {
        var secret = ClientSecretHasher.NewSecret();

        Assert.True(ClientSecretHasher.Verify(secret, ClientSecretHasher.Hash(secret)));
    }

    [Fact]
    public void A_different_secret_does_not_verify()
    {
        var hash = ClientSecretHasher.Hash(ClientSecretHasher.NewSecret());

        Assert.False(ClientSecretHasher.Verify(ClientSecretHasher.NewSecret(), hash));
        Assert.False(ClientSecretHasher.Verify("", hash));
    }

    [Fact]
    public void A_secret_differing_only_in_case_or_trailing_text_does_not_verify()
    {
        const string secret = "Abc-def_ghi";
        var hash = ClientSecretHasher.Hash(secret);

        Assert.False(ClientSecretHasher.Verify("abc-def_ghi", hash));
        Assert.False(ClientSecretHasher.Verify(secret + " ", hash));
        Assert.False(ClientSecretHasher.Verify(secret[..^1], hash));
    }

    [Fact]
    public void Stored_form_is_v1_then_a_16_byte_salt_then_a_32_byte_mac_in_base64url()
    {
        var parts = ClientSecretHasher.Hash("secret").Split('.');

        Assert.Equal(3, parts.Length);
        Assert.Equal("v1", parts[0]);
        Assert.Equal(16, System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]).Length);
        Assert.Equal(32, System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]).Length);
    }

    [Fact]
    public void Hashing_the_same_secret_twice_gives_different_salts_and_macs()
    {
        var first = ClientSecretHasher.Hash("secret").Split('.');
        var second = ClientSecretHasher.Hash("secret").Split('.');

        Assert.NotEqual(first[1], second[1]);
        Assert.NotEqual(first[2], second[2]);
    }

    [Fact]
    public void New_secrets_are_256_bit_base64url_and_unique()
    {
        var a = ClientSecretHasher.NewSecret();
        var b = ClientSecretHasher.NewSecret();

        Assert.Equal(32, System.Buffers.Text.Base64Url.DecodeFromChars(a).Length);
        Assert.NotEqual(a, b);
        Assert.DoesNotContain('=', a);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 10)]
    [InlineData(2, 0)]
    [InlineData(2, 20)]
    [InlineData(2, 42)]
    public void A_hash_with_any_changed_character_does_not_verify(int part, int index)
    {
        var parts = ClientSecretHasher.Hash("secret").Split('.');
        var chars = parts[part].ToCharArray();
        chars[index] = chars[index] == 'A' ? 'B' : 'A';
        parts[part] = new string(chars);

        Assert.False(ClientSecretHasher.Verify("secret", string.Join('.', parts)));
    }

    [Fact]
    public void A_hash_with_the_mac_truncated_does_not_verify()
    {
        var parts = ClientSecretHasher.Hash("secret").Split('.');

        Assert.False(ClientSecretHasher.Verify("secret", $"{parts[0]}.{parts[1]}.{parts[2][..22]}"));
        Assert.False(ClientSecretHasher.Verify("secret", $"{parts[0]}.{parts[1]}."));
    }

    [Fact]
    public void A_hash_with_another_version_prefix_does_not_verify()
    {
        var hash = ClientSecretHasher.Hash("secret");

        Assert.False(ClientSecretHasher.Verify("secret", "v2" + hash[2..]));
        Assert.False(ClientSecretHasher.Verify("secret", "V1" + hash[2..]));
        Assert.False(ClientSecretHasher.Verify("secret", " v1" + hash[2..]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("v1")]
    [InlineData("v1.")]
    [InlineData("v1..")]
    [InlineData("v1...")]
    [InlineData("v1.abc")]
    [InlineData("v1.!!!!.abcd")]
    [InlineData("v1.abcd.!!!!")]
    [InlineData("v1.a.b")]
    [InlineData("v1.AAAAAAAAAAAAAAAAAAAAAA.AAAA.AAAA")]
    [InlineData("secret")]
    [InlineData("\0\0\0")]
    public void Malformed_stored_forms_return_false_without_throwing(string stored)
    {
        Assert.False(ClientSecretHasher.Verify("secret", stored));
    }
}
