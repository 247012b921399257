using System.Security.Cryptography;

namespace Keyhub.Pkcs11.Tests;

[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11TokenKeysTests(Pkcs11TokenKeysTests.Keys keys) : IClassFixture<Pkcs11TokenKeysTests.Keys>
{
    private Pkcs11Token Token => keys.Token;

    [SoftHsmTheory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void A_generated_aes_key_is_sensitive_and_never_extractable(int size)
    {
        var id = TokenFixture.NewId();

        Token.GenerateAesKey(id, "aes", size);

        var secret = Assert.Single(Token.Inspect(id).Objects);
        Assert.Equal(new KeyObjectAttributes("secret", "AES", Token: true, Sensitive: true, Extractable: false, AlwaysSensitive: true, NeverExtractable: true), secret);
    }

    [SoftHsmFact]
    public void A_generated_rsa_private_key_is_sensitive_and_never_extractable()
    {
        var objects = Token.Inspect(keys.RsaId).Objects;

        Assert.Equal(2, objects.Count);
        Assert.Contains(new KeyObjectAttributes("private", "RSA", true, true, false, true, true), objects);
        Assert.Contains(new KeyObjectAttributes("public", "RSA", true, null, null, null, null), objects);
    }

    [SoftHsmFact]
    public void A_generated_rsa_key_pair_returns_its_public_key()
    {
        Assert.Equal(256, keys.RsaPublic.Modulus.Length);
        Assert.Equal([1, 0, 1], keys.RsaPublic.Exponent);

        var read = Token.GetRsaPublic(keys.RsaId);
        Assert.Equal(keys.RsaPublic.Modulus, read.Modulus);
        Assert.Equal(keys.RsaPublic.Exponent, read.Exponent);
    }

    [SoftHsmTheory]
    [InlineData("P-256", 32)]
    [InlineData("P-384", 48)]
    [InlineData("P-521", 66)]
    public void A_generated_ec_private_key_is_sensitive_and_never_extractable(string curve, int coordinateBytes)
    {
        var id = TokenFixture.NewId();

        var publicKey = Token.GenerateEcKeyPair(id, "ec", curve);

        Assert.Equal(curve, publicKey.Curve);
        Assert.Equal(coordinateBytes, publicKey.X.Length);
        Assert.Equal(coordinateBytes, publicKey.Y.Length);
        var objects = Token.Inspect(id).Objects;
        Assert.Equal(2, objects.Count);
        Assert.Contains(new KeyObjectAttributes("private", "EC", true, true, false, true, true), objects);
        Assert.Contains(new KeyObjectAttributes("public", "EC", true, null, null, null, null), objects);
        var read = Token.GetEcPublic(id);
        Assert.Equal(publicKey.X, read.X);
        Assert.Equal(publicKey.Y, read.Y);
    }

    [SoftHsmFact]
    public void A_generated_ec_public_point_is_on_the_curve()
    {
        var id = TokenFixture.NewId();

        var publicKey = Token.GenerateEcKeyPair(id, "ec", "P-256");

        // .NET validates the point when importing it.
        using var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = publicKey.X, Y = publicKey.Y } });
        Assert.Equal(256, ecdsa.KeySize);
    }

    [SoftHsmFact]
    public void Secp256k1_keys_are_generated_in_the_token()
    {
        // SoftHSM2 2.6.1 (Debian 12) passes the curve OID to OpenSSL, which knows secp256k1.
        var id = TokenFixture.NewId();

        var publicKey = Token.GenerateEcKeyPair(id, "k1", "P-256K");

        Assert.Equal("P-256K", publicKey.Curve);
        Assert.Equal(32, publicKey.X.Length);
        Assert.Contains(new KeyObjectAttributes("private", "EC", true, true, false, true, true), Token.Inspect(id).Objects);
    }

    [SoftHsmFact]
    public void An_imported_rsa_private_key_is_sensitive_and_not_extractable()
    {
        using var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(includePrivateParameters: true);
        var id = TokenFixture.NewId();

        Token.ImportRsaPrivateKey(id, "imported rsa", parameters);

        var objects = Token.Inspect(id).Objects;
        Assert.Equal(2, objects.Count);
        // Sensitive and not extractable from now on; but not "always" / "never": the key existed outside the token.
        Assert.Contains(new KeyObjectAttributes("private", "RSA", Token: true, Sensitive: true, Extractable: false, AlwaysSensitive: false, NeverExtractable: false), objects);
        Assert.Equal(parameters.Modulus, Token.GetRsaPublic(id).Modulus);
        Assert.Equal(parameters.Exponent, Token.GetRsaPublic(id).Exponent);
    }

    [SoftHsmTheory]
    [InlineData("P-256")]
    [InlineData("P-384")]
    [InlineData("P-521")]
    public void An_imported_ec_private_key_is_sensitive_and_not_extractable(string curve)
    {
        using var ecdsa = ECDsa.Create(DotNetCurve(curve));
        var parameters = ecdsa.ExportParameters(includePrivateParameters: true);
        var id = TokenFixture.NewId();

        Token.ImportEcPrivateKey(id, "imported ec", curve, parameters);

        Assert.Contains(new KeyObjectAttributes("private", "EC", Token: true, Sensitive: true, Extractable: false, AlwaysSensitive: false, NeverExtractable: false), Token.Inspect(id).Objects);
        var publicKey = Token.GetEcPublic(id);
        Assert.Equal(parameters.Q.X, publicKey.X);
        Assert.Equal(parameters.Q.Y, publicKey.Y);
    }

    [SoftHsmFact]
    public void Importing_ec_parameters_of_another_curve_is_refused()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<ArgumentException>(() =>
            Token.ImportEcPrivateKey(TokenFixture.NewId(), "x", "P-256", ecdsa.ExportParameters(includePrivateParameters: true)));
    }

    [SoftHsmFact]
    public void A_key_cannot_be_made_under_an_id_already_in_use()
    {
        var id = TokenFixture.NewId();
        Token.GenerateAesKey(id, "first", 16);

        var e = Assert.Throws<Pkcs11Exception>(() => Token.GenerateEcKeyPair(id, "second", "P-256"));

        Assert.Contains("already has an object", e.Message, StringComparison.Ordinal);
        Assert.Single(Token.Inspect(id).Objects);
    }

    [SoftHsmFact]
    public void Unknown_curves_and_key_sizes_are_refused_before_reaching_the_token()
    {
        Assert.Throws<ArgumentException>(() => Token.GenerateEcKeyPair(TokenFixture.NewId(), "x", "P-192"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Token.GenerateAesKey(TokenFixture.NewId(), "x", 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => Token.GenerateRsaKeyPair(TokenFixture.NewId(), "x", 1024, [1, 0, 1]));
    }

    [SoftHsmFact]
    public void Reading_a_public_key_of_the_wrong_type_or_an_unknown_id_is_not_found()
    {
        Assert.Throws<Pkcs11ObjectNotFoundException>(() => Token.GetEcPublic(keys.RsaId));
        Assert.Throws<Pkcs11ObjectNotFoundException>(() => Token.GetRsaPublic(TokenFixture.NewId()));
    }

    internal static ECCurve DotNetCurve(string curve) => curve switch
    {
        "P-256" => ECCurve.NamedCurves.nistP256,
        "P-384" => ECCurve.NamedCurves.nistP384,
        "P-521" => ECCurve.NamedCurves.nistP521,
        _ => throw new ArgumentOutOfRangeException(nameof(curve)),
    };

    public sealed class Keys : TokenFixture
    {
        public Keys()
            : base("keys")
        {
            if (SoftHsm.IsAvailable)
            {
                RsaPublic = Token.GenerateRsaKeyPair(RsaId, "generated rsa", 2048, [1, 0, 1]);
            }
        }

        public byte[] RsaId { get; } = NewId();

        public RsaPublic RsaPublic { get; } = null!;
    }
}
