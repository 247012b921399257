using Keyhub.Core.Authorization;

namespace Keyhub.Core.Tests.Authorization;

public sealed class ActionPatternTests
{
    private const string P = "Microsoft.KeyVault/vaults/";

    [Theory]
    [InlineData(P + "keys/read", P + "keys/read", true)]
    [InlineData(P + "keys/read", P + "keys/read/x", false)]
    [InlineData(P + "keys/read", P + "keys/rea", false)]
    [InlineData(P + "keys/read", "x" + P + "keys/read", false)]
    [InlineData("*", P + "secrets/getSecret/action", true)]
    [InlineData("*", "", true)]
    [InlineData(P + "*", P + "secrets/getSecret/action", true)]
    [InlineData(P + "*", "Microsoft.KeyVault/managedHSMs/keys/read", false)]
    [InlineData(P + "keys/*", P + "keys/encrypt/action", true)]
    [InlineData(P + "keys/*", P + "keyrotationpolicies/read", false)]
    [InlineData(P + "keys/*", P + "secrets/keys/action", false)]
    [InlineData(P + "*/read", P + "keys/read", true)]
    [InlineData(P + "*/read", P + "certificates/read", true)]
    [InlineData(P + "*/read", P + "secrets/getSecret/action", false)]
    [InlineData(P + "*/read", P + "secrets/readMetadata/action", false)]
    [InlineData(P + "*/read", P + "keys/read/action", false)]
    [InlineData(P + "*/read", P + "read", false)]
    [InlineData("a*a", "a", false)]
    [InlineData("a*a", "aa", true)]
    [InlineData("ab*ba", "aba", false)]
    [InlineData("a*b*c", "abc", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "acb", false)]
    [InlineData("a**c", "ac", true)]
    public void Star_matches_any_run_of_characters_and_nothing_else_is_a_wildcard(string pattern, string action, bool expected)
    {
        Assert.Equal(expected, ActionPattern.Matches(pattern, action));
    }

    [Theory]
    [InlineData(P + "secrets/getSecret/action", "MICROSOFT.KEYVAULT/VAULTS/SECRETS/GETSECRET/ACTION")]
    [InlineData(P + "secrets/getSecret/action", "microsoft.keyvault/vaults/secrets/getsecret/action")]
    [InlineData(P + "keys/*", "microsoft.keyvault/VAULTS/KEYS/encrypt/action")]
    [InlineData(P + "*/read", "MICROSOFT.KEYVAULT/VAULTS/KEYS/READ")]
    public void Matching_ignores_case_as_Azure_does(string pattern, string action)
    {
        Assert.True(ActionPattern.Matches(pattern, action));
    }

    [Theory]
    [InlineData(P + "secrets/?etSecret/action", P + "secrets/getSecret/action")]
    [InlineData(P + "secrets/.*", P + "secrets/getSecret/action")]
    [InlineData(P + "secrets/[gs]etSecret/action", P + "secrets/getSecret/action")]
    public void Regular_expression_syntax_is_literal(string pattern, string action)
    {
        Assert.False(ActionPattern.Matches(pattern, action));
    }
}
