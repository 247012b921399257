using Keyhub.Core.Errors;
using Keyhub.Core.Vaults;

namespace Keyhub.Core.Tests.Vaults;

public sealed class NamesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("Z")]
    [InlineData("0")]
    [InlineData("-")]
    [InlineData("db-password")]
    [InlineData("DB-Password-2")]
    [InlineData("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")]
    public void Object_names_of_letters_digits_and_hyphens_are_valid(string name)
    {
        Names.ValidateObject(name);
    }

    [Fact]
    public void Object_name_may_have_127_characters_but_not_128()
    {
        Names.ValidateObject(new string('a', 127));

        Assert.Throws<KeyhubException>(() => Names.ValidateObject(new string('a', 128)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a.b")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a%2Fb")]
    [InlineData("%2e%2e")]
    [InlineData("a_b")]
    [InlineData("a b")]
    [InlineData("a\tb")]
    [InlineData(" a")]
    [InlineData("a ")]
    [InlineData("é")]
    [InlineData("ａ")]
    [InlineData("a\0")]
    [InlineData("a\n")]
    [InlineData("a\r\n")]
    [InlineData("\na")]
    [InlineData("a?x=1")]
    [InlineData("a#b")]
    public void Object_names_with_anything_else_are_a_bad_parameter(string? name)
    {
        var error = Assert.Throws<KeyhubException>(() => Names.ValidateObject(name, "secret"));

        Assert.Equal(400, error.Status);
        Assert.Equal("BadParameter", error.Code);
        Assert.Contains("secret name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_name_is_not_echoed_in_the_error()
    {
        var error = Assert.Throws<KeyhubException>(() => Names.ValidateObject("<script>"));

        Assert.DoesNotContain("<script>", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hub")]
    [InlineData("Hub")]
    [InlineData("hub-2")]
    [InlineData("a1b")]
    [InlineData("abcdefghijklmnopqrstuvwx")]
    public void Vault_names_of_3_to_24_characters_starting_with_a_letter_are_valid(string name)
    {
        Names.ValidateVault(name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ab")]
    [InlineData("abcdefghijklmnopqrstuvwxy")]
    [InlineData("1hub")]
    [InlineData("-hub")]
    [InlineData("hub-")]
    [InlineData("hu_b")]
    [InlineData("hu.b")]
    [InlineData("_sys")]
    [InlineData("...")]
    [InlineData("hub\n")]
    [InlineData("hüb")]
    public void Other_vault_names_are_a_bad_parameter(string? name)
    {
        var error = Assert.Throws<KeyhubException>(() => Names.ValidateVault(name));

        Assert.Equal(400, error.Status);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    public void Versions_of_32_hexadecimal_characters_are_valid(string version)
    {
        Names.ValidateVersion(version);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef0")]
    [InlineData("0123456789abcdef0123456789abcdeg")]
    [InlineData("0123456789abcdef0123456789abcdef\n")]
    [InlineData("latest")]
    public void Other_versions_are_a_bad_parameter(string? version)
    {
        var error = Assert.Throws<KeyhubException>(() => Names.ValidateVersion(version));

        Assert.Equal(400, error.Status);
    }

    [Theory]
    [InlineData("DB-Password", "db-password")]
    [InlineData("db-password", "db-password")]
    [InlineData("ABC123", "abc123")]
    public void Normalize_lower_cases_invariantly(string name, string expected)
    {
        Assert.Equal(expected, Names.Normalize(name));
    }
}
