using System.Security.Cryptography;
using System.Text.Json;
using Keyhub.Core.Keys;

namespace Keyhub.Core.Tests.Keys;

public sealed class KeyMaterialTests
{
    // What SealedJson uses for every encrypted payload, key versions included.
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "k"];

    public static TheoryData<string> Kinds => ["RSA", "EC P-256", "EC P-384", "EC P-521", "EC P-256K", "oct 128", "oct 256"];

    private static KeyMaterial Make(string kind) => kind switch
    {
        "RSA" => TestKeys.Rsa(),
        "oct 128" => TestKeys.Oct(128),
        "oct 256" => TestKeys.Oct(256),
        _ => TestKeys.Ec(kind["EC ".Length..]),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ToPublic_never_carries_a_private_or_symmetric_part(string kind)
    {
        var key = Make(kind);

        var pub = key.ToPublic();

        Assert.Null(pub.D);
        Assert.Null(pub.P);
        Assert.Null(pub.Q);
        Assert.Null(pub.DP);
        Assert.Null(pub.DQ);
        Assert.Null(pub.QI);
        Assert.Null(pub.K);
        var json = JsonSerializer.SerializeToElement(pub, Web);
        foreach (var member in PrivateMembers)
        {
            Assert.True(!json.TryGetProperty(member, out var value) || value.ValueKind == JsonValueKind.Null, member);
        }
    }

    [Fact]
    public void ToPublic_of_an_RSA_key_keeps_kty_n_and_e()
    {
        var key = TestKeys.Rsa();

        var pub = key.ToPublic();

        Assert.Equal("RSA", pub.Kty);
        Assert.Equal(key.N, pub.N);
        Assert.Equal(key.E, pub.E);
        Assert.Null(pub.Crv);
        Assert.Null(pub.X);
        Assert.Null(pub.Y);
    }

    [Fact]
    public void ToPublic_of_an_EC_key_keeps_kty_crv_x_and_y()
    {
        var key = TestKeys.Ec(Curves.P384);

        var pub = key.ToPublic();

        Assert.Equal("EC", pub.Kty);
        Assert.Equal("P-384", pub.Crv);
        Assert.Equal(key.X, pub.X);
        Assert.Equal(key.Y, pub.Y);
        Assert.Null(pub.N);
        Assert.Null(pub.E);
    }

    [Fact]
    public void ToPublic_of_an_oct_key_is_only_its_kty()
    {
        var pub = TestKeys.Oct(256).ToPublic();

        Assert.Equal(new KeyMaterial { Kty = "oct" }, pub);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Clear_zeroes_every_private_part_and_leaves_the_public_parts(string kind)
    {
        var key = Make(kind);
        var pub = TestKeys.Copy(key.ToPublic());
        var privateParts = new[] { key.D, key.P, key.Q, key.DP, key.DQ, key.QI, key.K }.OfType<byte[]>().ToList();
        Assert.NotEmpty(privateParts);
        Assert.All(privateParts, part => Assert.Contains(part, b => b != 0));

        key.Clear();

        Assert.All(privateParts, part => Assert.All(part, b => Assert.Equal(0, b)));
        Assert.Equal(pub.N, key.N);
        Assert.Equal(pub.E, key.E);
        Assert.Equal(pub.X, key.X);
        Assert.Equal(pub.Y, key.Y);
    }

    [Fact]
    public void Clear_of_a_key_does_not_damage_a_public_JWK_taken_from_it_before()
    {
        // ToPublic shares n/e/x/y with the key; the engine clears the key right after taking it.
        var key = TestKeys.Rsa();
        var expected = (byte[])key.N!.Clone();
        var pub = key.ToPublic();

        key.Clear();

        Assert.Equal(expected, pub.N);
        using var rsa = pub.CreateRsa(includePrivate: false);
        Assert.Equal(2048, rsa.KeySize);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void JSON_round_trip_with_web_defaults_keeps_every_part(string kind)
    {
        var key = Make(kind);

        var json = JsonSerializer.SerializeToUtf8Bytes(key, Web);
        var back = JsonSerializer.Deserialize<KeyMaterial>(json, Web)!;

        Assert.Equal(key.Kty, back.Kty);
        Assert.Equal(key.Crv, back.Crv);
        Assert.Equal(key.N, back.N);
        Assert.Equal(key.E, back.E);
        Assert.Equal(key.D, back.D);
        Assert.Equal(key.P, back.P);
        Assert.Equal(key.Q, back.Q);
        Assert.Equal(key.DP, back.DP);
        Assert.Equal(key.DQ, back.DQ);
        Assert.Equal(key.QI, back.QI);
        Assert.Equal(key.X, back.X);
        Assert.Equal(key.Y, back.Y);
        Assert.Equal(key.K, back.K);
        Assert.Equal(key.Size, back.Size);
    }

    [Fact]
    public void JSON_uses_the_JWK_member_names_and_not_the_computed_size()
    {
        var json = JsonSerializer.SerializeToElement(TestKeys.Rsa(), Web);

        var names = json.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "kty", "n", "e", "d", "p", "q", "dp", "dq", "qi" }, names);
        Assert.DoesNotContain("size", names, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("DP", names, StringComparer.Ordinal);
        Assert.Equal("RSA", json.GetProperty("kty").GetString());
        Assert.Equal("AQAB", json.GetProperty("e").GetString());
    }

    [Theory]
    [InlineData("P-256", 256)]
    [InlineData("P-384", 384)]
    [InlineData("P-521", 521)]
    [InlineData("P-256K", 256)]
    public void Size_of_an_EC_key_is_its_curve_size(string crv, int size)
    {
        Assert.Equal(size, new KeyMaterial { Kty = KeyTypes.Ec, Crv = crv }.Size);
    }

    [Theory]
    [InlineData(128)]
    [InlineData(192)]
    [InlineData(256)]
    public void Size_of_an_oct_key_is_its_length_in_bits(int bits)
    {
        Assert.Equal(bits, TestKeys.Oct(bits).Size);
    }

    [Fact]
    public void Size_of_an_RSA_key_is_its_modulus_length_in_bits()
    {
        Assert.Equal(2048, TestKeys.Rsa().Size);
    }

    [Fact]
    public void CreateRsa_without_the_private_part_cannot_export_or_decrypt()
    {
        using var rsa = TestKeys.Rsa().CreateRsa(includePrivate: false);

        Assert.ThrowsAny<CryptographicException>(() => rsa.ExportParameters(includePrivateParameters: true));
        var ciphertext = rsa.Encrypt([1, 2, 3], RSAEncryptionPadding.OaepSHA256);
        Assert.ThrowsAny<CryptographicException>(() => rsa.Decrypt(ciphertext, RSAEncryptionPadding.OaepSHA256));
    }

    [Fact]
    public void CreateEcdsa_without_the_private_part_cannot_sign()
    {
        using var ecdsa = TestKeys.Ec(Curves.P256).CreateEcdsa(includePrivate: false);

        Assert.ThrowsAny<CryptographicException>(() => ecdsa.SignHash(new byte[32]));
    }
}
