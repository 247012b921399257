using Keyhub.Core.Authorization;
using Keyhub.Core.Errors;

namespace Keyhub.Core.Tests.Authorization;

public sealed class ScopesTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("/vaults/hub", "/vaults/hub")]
    [InlineData("/vaults/Hub", "/vaults/hub")]
    [InlineData("/vaults/HUB-2", "/vaults/hub-2")]
    [InlineData("/vaults/hub/secrets/db-password", "/vaults/hub/secrets/db-password")]
    [InlineData("/vaults/Hub/secrets/DB-Password", "/vaults/hub/secrets/db-password")]
    [InlineData("/vaults/hub/keys/K1", "/vaults/hub/keys/k1")]
    [InlineData("/vaults/hub/certificates/Tls", "/vaults/hub/certificates/tls")]
    public void Parse_accepts_the_three_scope_forms_and_normalises_name_case(string scope, string expected)
    {
        Assert.Equal(expected, Scopes.Parse(scope));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("//")]
    [InlineData(" /")]
    [InlineData("/ ")]
    [InlineData("vaults/hub")]
    [InlineData("/vaults")]
    [InlineData("/vaults/")]
    [InlineData("/vaults/hub/")]
    [InlineData("//vaults/hub")]
    [InlineData("/vaults//hub")]
    [InlineData("/vaults/hub/secrets")]
    [InlineData("/vaults/hub/secrets/")]
    [InlineData("/vaults/hub/secrets/a/")]
    [InlineData("/vaults/hub/secrets/a/b")]
    [InlineData("/vaults/hub/secrets/a/versions/0123")]
    [InlineData("/vaults/hub/other/x")]
    [InlineData("/vaults/hub/deletedsecrets/x")]
    [InlineData("/vaults/../x")]
    [InlineData("/vaults/..")]
    [InlineData("/vaults/.")]
    [InlineData("/vaults/hub/secrets/..")]
    [InlineData("/vaults/hub/secrets/.")]
    [InlineData("/vaults/hub/../hub2")]
    [InlineData("/vaults/hub/secrets/a%2Fb")]
    [InlineData("/vaults/hub%2Fsecrets%2Fa")]
    [InlineData("/vaults/hub/secrets/a\\b")]
    [InlineData("/vaults/hub/secrets/a b")]
    [InlineData("/vaults/hub/secrets/a_b")]
    [InlineData("/vaults/hu")]
    [InlineData("/vaults/1hub")]
    [InlineData("/vaults/_sys")]
    [InlineData("/subscriptions/x/vaults/hub")]
    [InlineData("/vaults/hub\n")]
    [InlineData("/vaults/hub/secrets/a\n")]
    public void Parse_rejects_anything_else_as_a_bad_parameter(string scope)
    {
        var error = Assert.Throws<KeyhubException>(() => Scopes.Parse(scope));

        Assert.Equal(400, error.Status);
        Assert.Equal("BadParameter", error.Code);
    }

    [Fact]
    public void Vault_and_object_scopes_are_built_with_normalised_names()
    {
        Assert.Equal("/vaults/hub", Scopes.Vault("Hub"));
        Assert.Equal("/vaults/hub/secrets/db-password", Scopes.Object("HUB", "secrets", "DB-Password"));
    }

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/", "/vaults/hub")]
    [InlineData("/", "/vaults/hub/secrets/a")]
    [InlineData("/vaults/hub", "/vaults/hub")]
    [InlineData("/vaults/hub", "/vaults/hub/secrets/a")]
    [InlineData("/vaults/hub", "/vaults/hub/keys/a")]
    [InlineData("/vaults/hub/secrets/a", "/vaults/hub/secrets/a")]
    public void Encloses_a_scope_itself_and_every_scope_below_it(string outer, string inner)
    {
        Assert.True(Scopes.Encloses(outer, inner));
    }

    [Theory]
    [InlineData("/vaults/hub", "/")]
    [InlineData("/vaults/hub", "/vaults/hub2")]
    [InlineData("/vaults/hub", "/vaults/hub2/secrets/a")]
    [InlineData("/vaults/hub", "/vaults/hu")]
    [InlineData("/vaults/hub", "/vaults/hub-2")]
    [InlineData("/vaults/hub/secrets/a", "/vaults/hub")]
    [InlineData("/vaults/hub/secrets/a", "/vaults/hub/secrets/ab")]
    [InlineData("/vaults/hub/secrets/a", "/vaults/hub/keys/a")]
    [InlineData("/vaults/hub/secrets/a", "/vaults/hub/secrets/b")]
    public void Does_not_enclose_siblings_parents_or_names_sharing_a_prefix(string outer, string inner)
    {
        Assert.False(Scopes.Encloses(outer, inner));
    }
}
