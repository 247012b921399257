namespace Keyhub.Pkcs11.Tests;

[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11TokenObjectsTests(Pkcs11TokenObjectsTests.Objects objects) : IClassFixture<Pkcs11TokenObjectsTests.Objects>
{
    private Pkcs11Token Token => objects.Token;

    [SoftHsmFact]
    public void Destroy_removes_every_object_with_the_id()
    {
        var id = TokenFixture.NewId();
        Token.GenerateEcKeyPair(id, "pair", "P-256");
        Assert.Equal(2, Token.Inspect(id).Objects.Count);

        Token.Destroy(id);

        Assert.False(Token.Exists(id));
        Assert.Empty(Token.Inspect(id).Objects);
        Assert.Throws<Pkcs11ObjectNotFoundException>(() => Token.SignEcdsa(id, new byte[32]));
    }

    [SoftHsmFact]
    public void Destroy_of_an_unknown_id_does_nothing()
    {
        var kept = TokenFixture.NewId();
        Token.GenerateAesKey(kept, "kept", 16);

        Token.Destroy(TokenFixture.NewId());

        Assert.True(Token.Exists(kept));
    }

    [SoftHsmFact]
    public void Exists_tells_whether_the_id_is_in_use()
    {
        var id = TokenFixture.NewId();
        Assert.False(Token.Exists(id));

        Token.GenerateAesKey(id, "exists", 16);

        Assert.True(Token.Exists(id));
    }

    [SoftHsmFact]
    public void ListKeyIds_lists_each_key_id_once()
    {
        var pair = TokenFixture.NewId();
        var secret = TokenFixture.NewId();
        Token.GenerateEcKeyPair(pair, "pair", "P-384");
        Token.GenerateAesKey(secret, "secret", 32);

        var ids = Token.ListKeyIds().Select(Convert.ToHexString).ToList();

        Assert.Single(ids, Convert.ToHexString(pair));
        Assert.Single(ids, Convert.ToHexString(secret));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [SoftHsmFact]
    public void Labels_are_informational_and_may_repeat()
    {
        var a = TokenFixture.NewId();
        var b = TokenFixture.NewId();

        Token.GenerateAesKey(a, "same label", 16);
        Token.GenerateAesKey(b, "same label", 16);

        Assert.True(Token.Exists(a));
        Assert.True(Token.Exists(b));
    }

    [SoftHsmFact]
    public void An_empty_id_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Token.Exists([]));
    }

    public sealed class Objects() : TokenFixture("objects");
}
