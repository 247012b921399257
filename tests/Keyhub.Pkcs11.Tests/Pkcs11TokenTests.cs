namespace Keyhub.Pkcs11.Tests;

[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11TokenTests
{
    // Tokens for this class are made up front: SoftHSM lists only the tokens that exist when it is loaded.
    private static readonly Lazy<(SoftHsm First, SoftHsm Second)> Tokens = new(() =>
        (SoftHsm.Create("open-first"), SoftHsm.Create("open-second")));

    private static SoftHsm First => Tokens.Value.First;

    private static SoftHsm Second => Tokens.Value.Second;

    [SoftHsmFact]
    public void Open_with_an_unknown_label_names_the_label_and_the_library()
    {
        _ = Tokens.Value;

        var e = Assert.Throws<Pkcs11Exception>(() => Pkcs11Token.Open(new Pkcs11Options(SoftHsm.DefaultLibraryPath, "no-such-token", "1234")));

        Assert.Equal($"no token labelled 'no-such-token' in {SoftHsm.DefaultLibraryPath}", e.Message);
    }

    [SoftHsmFact]
    public void Open_with_an_unknown_label_while_the_library_is_loaded_explains_that_new_tokens_may_not_be_listed()
    {
        using var open = Pkcs11Token.Open(Options(First));

        var e = Assert.Throws<Pkcs11Exception>(() => Pkcs11Token.Open(new Pkcs11Options(SoftHsm.DefaultLibraryPath, "made-later", "1234")));

        Assert.StartsWith($"no token labelled 'made-later' in {SoftHsm.DefaultLibraryPath} (the library was already loaded", e.Message, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public void Open_with_a_wrong_pin_is_refused_without_the_pin_in_the_error()
    {
        const string wrongPin = "wrong-pin-31337";

        var e = Assert.Throws<Pkcs11Exception>(() => Pkcs11Token.Open(new Pkcs11Options(First.LibraryPath, First.TokenLabel, wrongPin)));

        Assert.Equal("the HSM refused the PIN for token 'open-first'", e.Message);
        Assert.DoesNotContain(wrongPin, e.ToString(), StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public void Open_after_a_refused_pin_succeeds_with_the_right_one()
    {
        Assert.Throws<Pkcs11Exception>(() => Pkcs11Token.Open(new Pkcs11Options(First.LibraryPath, First.TokenLabel, "nope-nope")));

        using var token = Pkcs11Token.Open(Options(First));

        Assert.Equal(8, token.GenerateRandom(8).Length);
    }

    [SoftHsmFact]
    public void A_wrong_pin_is_refused_even_while_the_token_is_logged_in_by_another_instance()
    {
        // PKCS#11 logins belong to the process: C_Login on a logged-in token answers
        // CKR_USER_ALREADY_LOGGED_IN without checking the PIN, so Keyhub compares it itself.
        using var open = Pkcs11Token.Open(Options(First));

        var e = Assert.Throws<Pkcs11Exception>(() => Pkcs11Token.Open(new Pkcs11Options(First.LibraryPath, First.TokenLabel, "wrong-pin-2")));

        Assert.Equal("the HSM refused the PIN for token 'open-first'", e.Message);
        Assert.Equal(8, open.GenerateRandom(8).Length);
    }

    [Fact]
    public void Options_do_not_print_the_pin()
    {
        var options = new Pkcs11Options("/lib/x.so", "label", "secret-pin-4711");

        Assert.DoesNotContain("secret-pin-4711", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Open_with_a_missing_library_fails_naming_the_library()
    {
        var e = Assert.Throws<Pkcs11Exception>(() => Pkcs11Token.Open(new Pkcs11Options("/nonexistent/libpkcs11.so", "label", "1234")));

        Assert.Contains("/nonexistent/libpkcs11.so", e.Message, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public void Two_tokens_of_one_library_are_open_at_the_same_time_and_keep_their_keys_apart()
    {
        var id = TokenFixture.NewId();
        using var first = Pkcs11Token.Open(Options(First));
        using (var second = Pkcs11Token.Open(Options(Second)))
        {
            first.GenerateAesKey(id, "first", 32);

            Assert.True(first.Exists(id));
            Assert.False(second.Exists(id));
            Assert.Equal(16, second.GenerateRandom(16).Length);
        }

        // Closing the second token leaves the shared module and the first token's login in place.
        var ciphertext = first.EncryptAesGcm(id, new byte[12], [], [1, 2, 3], 16);
        Assert.Equal([1, 2, 3], first.DecryptAesGcm(id, new byte[12], [], ciphertext, 16));
        first.Destroy(id);
    }

    [SoftHsmFact]
    public void A_token_opens_again_after_dispose_and_its_keys_persist()
    {
        var id = TokenFixture.NewId();
        using (var token = Pkcs11Token.Open(Options(First)))
        {
            token.GenerateAesKey(id, "persists", 16);
        }

        using (var again = Pkcs11Token.Open(Options(First)))
        {
            Assert.True(again.Exists(id));
            again.Destroy(id);
        }
    }

    [SoftHsmFact]
    public void The_same_token_can_be_open_twice_in_one_process()
    {
        using var one = Pkcs11Token.Open(Options(First));
        using var two = Pkcs11Token.Open(Options(First));
        var id = TokenFixture.NewId();

        one.GenerateAesKey(id, "shared", 16);
        one.Dispose();

        Assert.True(two.Exists(id));
        two.Destroy(id);
    }

    [SoftHsmFact]
    public void Mechanisms_lists_what_the_token_offers_by_cryptoki_name()
    {
        using var token = Pkcs11Token.Open(Options(First));

        Assert.Contains("CKM_AES_GCM", token.Mechanisms);
        Assert.Contains("CKM_RSA_PKCS_PSS", token.Mechanisms);
        Assert.Contains("CKM_ECDSA", token.Mechanisms);
        // One value, two names in the standard: both are listed.
        Assert.Contains("CKM_EC_KEY_PAIR_GEN", token.Mechanisms);
        Assert.Contains("CKM_ECDSA_KEY_PAIR_GEN", token.Mechanisms);
    }

    [SoftHsmFact]
    public void GenerateRandom_returns_fresh_bytes_of_the_asked_length()
    {
        using var token = Pkcs11Token.Open(Options(First));

        var a = token.GenerateRandom(32);
        var b = token.GenerateRandom(32);

        Assert.Equal(32, a.Length);
        Assert.NotEqual(a, b);
    }

    [SoftHsmFact]
    public void A_disposed_token_refuses_work()
    {
        var token = Pkcs11Token.Open(Options(First));
        token.Dispose();
        token.Dispose();

        Assert.Throws<ObjectDisposedException>(() => token.GenerateRandom(8));
    }

    private static Pkcs11Options Options(SoftHsm hsm) => new(hsm.LibraryPath, hsm.TokenLabel, hsm.Pin);
}
