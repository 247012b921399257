using System.Security.Cryptography;
using Keyhub.Core.Errors;
using Keyhub.Core.Keys;

namespace Keyhub.Core.Tests.Keys;

public sealed class KeyFactoryTests
{
    // ---- kty ----

    [Theory]
    [InlineData("RSA")]
    [InlineData("EC")]
    [InlineData("oct")]
    public void ParseKty_accepts_the_software_key_types(string kty)
    {
        Assert.Equal(kty, KeyFactory.ParseKty(kty));
    }

    [Theory]
    [InlineData("RSA-HSM", "RSA")]
    [InlineData("EC-HSM", "EC")]
    [InlineData("oct-HSM", "oct")]
    public void HSM_key_types_are_refused_with_a_message_that_names_the_reason(string kty, string software)
    {
        var error = AssertBad(() => KeyFactory.ParseKty(kty));

        Assert.Contains(kty, error.Message, StringComparison.Ordinal);
        Assert.Contains("HSM", error.Message, StringComparison.Ordinal);
        Assert.Contains("premium", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"'{software}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("Ec")]
    [InlineData("OCT")]
    [InlineData("AES")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_or_missing_key_types_are_a_bad_parameter(string? kty)
    {
        AssertBad(() => KeyFactory.ParseKty(kty));
    }

    // ---- generation ----

    [Fact]
    public void RSA_key_is_2048_bits_with_exponent_65537_and_every_CRT_part_by_default()
    {
        // TestKeys.Rsa() is KeyFactory.Generate("RSA", null, null, null), made once per run.
        var key = TestKeys.Rsa();

        AssertRsa(key, 2048);
    }

    [Theory]
    [InlineData(3072, 65537)]
    [InlineData(4096, null)]
    public void RSA_keys_of_3072_and_4096_bits_are_generated(int size, int? exponent)
    {
        // Slow: each size is generated once in the whole suite.
        var key = KeyFactory.Generate(KeyTypes.Rsa, size, exponent, null);

        AssertRsa(key, size);
    }

    [Theory]
    [InlineData("P-256", 32)]
    [InlineData("P-384", 48)]
    [InlineData("P-521", 66)]
    [InlineData("P-256K", 32)]
    public void EC_keys_are_generated_on_every_supported_curve(string crv, int coordinateSize)
    {
        var key = KeyFactory.Generate(KeyTypes.Ec, null, null, crv);

        Assert.Equal("EC", key.Kty);
        Assert.Equal(crv, key.Crv);
        Assert.Equal(coordinateSize, key.X!.Length);
        Assert.Equal(coordinateSize, key.Y!.Length);
        Assert.Equal(coordinateSize, key.D!.Length);
        Assert.Null(key.N);
        Assert.Null(key.K);
        using var ecdsa = key.CreateEcdsa(includePrivate: true);
        using var pub = key.CreateEcdsa(includePrivate: false);
        var digest = new byte[32];
        Assert.True(pub.VerifyHash(digest, ecdsa.SignHash(digest)));
    }

    [Fact]
    public void EC_key_is_on_P256_by_default()
    {
        Assert.Equal("P-256", KeyFactory.Generate(KeyTypes.Ec, null, null, null).Crv);
    }

    [Theory]
    [InlineData("P-256", 256)]
    [InlineData("P-384", 384)]
    [InlineData("P-521", 521)]
    [InlineData("P-256K", 256)]
    public void EC_key_size_that_matches_the_curve_is_accepted(string crv, int size)
    {
        Assert.Equal(crv, KeyFactory.Generate(KeyTypes.Ec, size, null, crv).Crv);
    }

    [Theory]
    [InlineData(128)]
    [InlineData(192)]
    [InlineData(256)]
    public void Oct_keys_of_128_192_and_256_bits_are_generated(int size)
    {
        var key = KeyFactory.Generate(KeyTypes.Oct, size, null, null);

        Assert.Equal("oct", key.Kty);
        Assert.Equal(size / 8, key.K!.Length);
        Assert.Equal(size, key.Size);
        Assert.Null(key.D);
        Assert.Null(key.N);
    }

    [Fact]
    public void Oct_key_is_256_bits_by_default_and_random()
    {
        var a = KeyFactory.Generate(KeyTypes.Oct, null, null, null);
        var b = KeyFactory.Generate(KeyTypes.Oct, null, null, null);

        Assert.Equal(32, a.K!.Length);
        Assert.NotEqual(a.K, b.K);
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(2047)]
    [InlineData(2049)]
    [InlineData(8192)]
    [InlineData(0)]
    [InlineData(-2048)]
    public void RSA_key_sizes_other_than_2048_3072_4096_are_refused(int size)
    {
        AssertBad(() => KeyFactory.Generate(KeyTypes.Rsa, size, null, null));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(65535)]
    [InlineData(65539)]
    [InlineData(0)]
    public void RSA_public_exponent_other_than_65537_is_refused(int exponent)
    {
        var error = AssertBad(() => KeyFactory.Generate(KeyTypes.Rsa, 2048, exponent, null));

        Assert.Contains("65537", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RSA_with_a_curve_is_refused()
    {
        AssertBad(() => KeyFactory.Generate(KeyTypes.Rsa, 2048, null, "P-256"));
    }

    [Theory]
    [InlineData("P-192")]
    [InlineData("P-224")]
    [InlineData("p-256")]
    [InlineData("secp256k1")]
    [InlineData("Ed25519")]
    [InlineData("")]
    public void Unsupported_curves_are_refused(string crv)
    {
        AssertBad(() => KeyFactory.Generate(KeyTypes.Ec, null, null, crv));
    }

    [Theory]
    [InlineData("P-256", 384)]
    [InlineData("P-384", 256)]
    [InlineData("P-521", 512)]
    [InlineData("P-256K", 2048)]
    public void EC_key_size_that_does_not_match_the_curve_is_refused(string crv, int size)
    {
        AssertBad(() => KeyFactory.Generate(KeyTypes.Ec, size, null, crv));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(512)]
    [InlineData(0)]
    [InlineData(2048)]
    public void Oct_key_sizes_other_than_128_192_256_are_refused(int size)
    {
        AssertBad(() => KeyFactory.Generate(KeyTypes.Oct, size, null, null));
    }

    [Fact]
    public void Oct_with_a_curve_or_an_exponent_is_refused()
    {
        AssertBad(() => KeyFactory.Generate(KeyTypes.Oct, 256, null, "P-256"));
        AssertBad(() => KeyFactory.Generate(KeyTypes.Oct, 256, 65537, null));
    }

    // ---- import: RSA ----

    [Fact]
    public void Imported_RSA_key_keeps_its_material()
    {
        var key = TestKeys.FixedRsa();

        var imported = KeyFactory.ValidateImport(TestKeys.Copy(key));

        Assert.Equal("RSA", imported.Kty);
        Assert.Equal(key.N, imported.N);
        Assert.Equal(key.E, imported.E);
        Assert.Equal(key.D, imported.D);
        Assert.Equal(key.P, imported.P);
        Assert.Equal(key.Q, imported.Q);
        Assert.Equal(key.DP, imported.DP);
        Assert.Equal(key.DQ, imported.DQ);
        Assert.Equal(key.QI, imported.QI);
    }

    [Theory]
    [InlineData("n")]
    [InlineData("e")]
    [InlineData("d")]
    [InlineData("p")]
    [InlineData("q")]
    [InlineData("dp")]
    [InlineData("dq")]
    [InlineData("qi")]
    public void Imported_RSA_key_without_every_private_and_CRT_part_is_refused(string missing)
    {
        var key = TestKeys.FixedRsa();
        key = missing switch
        {
            "n" => key with { N = null },
            "e" => key with { E = null },
            "d" => key with { D = null },
            "p" => key with { P = null },
            "q" => key with { Q = null },
            "dp" => key with { DP = null },
            "dq" => key with { DQ = null },
            _ => key with { QI = null },
        };

        AssertBad(() => KeyFactory.ValidateImport(key));
    }

    [Theory]
    [InlineData("n")]
    [InlineData("d")]
    [InlineData("p and q")]
    [InlineData("qi")]
    public void Imported_RSA_key_whose_parts_come_from_two_keys_is_refused(string swapped)
    {
        var key = TestKeys.FixedRsa();
        var other = TestKeys.Rsa();
        key = swapped switch
        {
            "n" => key with { N = other.N },
            "d" => key with { D = other.D },
            "p and q" => key with { P = other.P, Q = other.Q },
            _ => key with { QI = other.QI },
        };

        AssertBad(() => KeyFactory.ValidateImport(key));
    }

    [Fact]
    public void Imported_RSA_key_with_a_flipped_bit_in_n_is_refused()
    {
        var key = TestKeys.FixedRsa();

        AssertBad(() => KeyFactory.ValidateImport(key with { N = TestKeys.Flip(key.N!, 100) }));
    }

    [Fact]
    public void Imported_1024_bit_RSA_key_is_refused_as_an_unsupported_size()
    {
        using var rsa = RSA.Create(1024);
        var p = rsa.ExportParameters(includePrivateParameters: true);
        var key = new KeyMaterial { Kty = KeyTypes.Rsa, N = p.Modulus, E = p.Exponent, D = p.D, P = p.P, Q = p.Q, DP = p.DP, DQ = p.DQ, QI = p.InverseQ };

        var error = AssertBad(() => KeyFactory.ValidateImport(key));

        Assert.Contains("1024", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Imported_RSA_key_with_a_minimal_length_d_is_accepted_and_padded_to_the_modulus_length()
    {
        // RFC 7518 §6.3.2.1: d is a Base64urlUInt, so a JWK from another implementation carries 255
        // bytes when the top byte is zero. This fixed key's d has exactly that leading zero.
        var key = TestKeys.FixedRsa();
        Assert.Equal(0, key.D![0]);

        var imported = KeyFactory.ValidateImport(key with { D = key.D[1..] });

        Assert.Equal(256, imported.D!.Length);
        Assert.Equal(key.D, imported.D);
    }

    [Fact]
    public void Imported_RSA_key_whose_n_has_a_leading_zero_byte_is_normalised_to_the_minimal_n()
    {
        var key = TestKeys.FixedRsa();

        var imported = KeyFactory.ValidateImport(key with { N = [0, .. key.N!] });

        Assert.Equal(key.N, imported.N);
        Assert.Equal(2048, imported.Size);
    }

    [Fact]
    public void Import_drops_members_that_do_not_belong_to_the_key_type()
    {
        var rsa = KeyFactory.ValidateImport(TestKeys.FixedRsa() with { K = [1, 2, 3], Crv = "P-256", X = new byte[32], Y = new byte[32] });
        var ec = TestKeys.Ec(Curves.P256);
        var importedEc = KeyFactory.ValidateImport(ec with { N = [1], E = [1, 0, 1], K = new byte[32] });
        var oct = KeyFactory.ValidateImport(TestKeys.Oct(256) with { D = [1], N = [2], X = [3], Crv = "P-256" });

        Assert.Null(rsa.K);
        Assert.Null(rsa.Crv);
        Assert.Null(rsa.X);
        Assert.Null(rsa.Y);
        Assert.Null(importedEc.N);
        Assert.Null(importedEc.E);
        Assert.Null(importedEc.K);
        Assert.Equal(ec.D, importedEc.D);
        Assert.Equal(new KeyMaterial { Kty = "oct", K = oct.K }, oct);
    }

    [Theory]
    [InlineData("RSA")]
    [InlineData("EC")]
    [InlineData("oct")]
    public void Imported_material_does_not_alias_the_request_so_clearing_it_leaves_the_request_intact(string kty)
    {
        // The engine clears the material it stored; the caller's JWK must survive that.
        var request = kty switch
        {
            "RSA" => TestKeys.FixedRsa(),
            "EC" => TestKeys.Ec(Curves.P384),
            _ => TestKeys.Oct(192),
        };
        var expected = TestKeys.Copy(request);

        KeyFactory.ValidateImport(request).Clear();

        Assert.Equal(expected.D, request.D);
        Assert.Equal(expected.P, request.P);
        Assert.Equal(expected.K, request.K);
    }

    [Theory]
    [InlineData("RSA-HSM")]
    [InlineData("EC-HSM")]
    [InlineData("oct-HSM")]
    [InlineData("AES")]
    public void Import_of_an_HSM_or_unknown_key_type_is_refused(string kty)
    {
        AssertBad(() => KeyFactory.ValidateImport(TestKeys.Oct(256) with { Kty = kty }));
    }

    // ---- import: EC ----

    [Theory]
    [InlineData("P-256")]
    [InlineData("P-384")]
    [InlineData("P-521")]
    [InlineData("P-256K")]
    public void Imported_EC_key_keeps_its_material(string crv)
    {
        var key = TestKeys.Ec(crv);

        var imported = KeyFactory.ValidateImport(TestKeys.Copy(key));

        Assert.Equal(crv, imported.Crv);
        Assert.Equal(key.X, imported.X);
        Assert.Equal(key.Y, imported.Y);
        Assert.Equal(key.D, imported.D);
    }

    [Theory]
    [InlineData("x short")]
    [InlineData("x long")]
    [InlineData("y short")]
    [InlineData("y long")]
    [InlineData("d short")]
    [InlineData("d long")]
    [InlineData("x missing")]
    [InlineData("d missing")]
    [InlineData("P-384 coordinates on P-256")]
    public void Imported_EC_key_with_wrong_coordinate_lengths_is_refused(string defect)
    {
        var key = TestKeys.Ec(Curves.P256);
        var p384 = TestKeys.Ec(Curves.P384);
        key = defect switch
        {
            "x short" => key with { X = key.X![1..] },
            "x long" => key with { X = [0, .. key.X!] },
            "y short" => key with { Y = key.Y![1..] },
            "y long" => key with { Y = [0, .. key.Y!] },
            "d short" => key with { D = key.D![1..] },
            "d long" => key with { D = [0, .. key.D!] },
            "x missing" => key with { X = null },
            "d missing" => key with { D = null },
            _ => key with { X = p384.X, Y = p384.Y, D = p384.D },
        };

        AssertBad(() => KeyFactory.ValidateImport(key));
    }

    [Theory]
    [InlineData("P-256")]
    [InlineData("P-384")]
    [InlineData("P-521")]
    [InlineData("P-256K")]
    public void Imported_EC_point_not_on_the_curve_is_refused(string crv)
    {
        var key = TestKeys.Ec(crv);

        AssertBad(() => KeyFactory.ValidateImport(key with { Y = TestKeys.Flip(key.Y!, key.Y!.Length - 1) }));
    }

    [Fact]
    public void Imported_EC_key_whose_d_belongs_to_another_key_is_refused()
    {
        var key = TestKeys.Ec(Curves.P256);
        var other = TestKeys.Ec(Curves.P256);

        AssertBad(() => KeyFactory.ValidateImport(key with { D = other.D }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("P-192")]
    [InlineData("p-256")]
    public void Imported_EC_key_without_a_supported_crv_is_refused(string? crv)
    {
        AssertBad(() => KeyFactory.ValidateImport(TestKeys.Ec(Curves.P256) with { Crv = crv }));
    }

    [Fact]
    public void Imported_EC_key_on_a_different_curve_of_the_same_size_is_refused()
    {
        // P-256K coordinates are 32 bytes like P-256's, so only the curve check catches this.
        AssertBad(() => KeyFactory.ValidateImport(TestKeys.Ec(Curves.P256K) with { Crv = Curves.P256 }));
    }

    // ---- import: oct ----

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void Imported_oct_key_of_16_24_or_32_bytes_is_accepted(int length)
    {
        var k = RandomNumberGenerator.GetBytes(length);

        Assert.Equal(k, KeyFactory.ValidateImport(new KeyMaterial { Kty = "oct", K = k }).K);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    [InlineData(-1)]
    public void Imported_oct_key_of_another_length_is_refused(int length)
    {
        var k = length < 0 ? null : new byte[length];

        AssertBad(() => KeyFactory.ValidateImport(new KeyMaterial { Kty = "oct", K = k }));
    }

    private static void AssertRsa(KeyMaterial key, int size)
    {
        Assert.Equal("RSA", key.Kty);
        Assert.Equal(size, key.Size);
        Assert.Equal(size / 8, key.N!.Length);
        Assert.Equal(new byte[] { 1, 0, 1 }, key.E);
        Assert.Equal(size / 8, key.D!.Length);
        Assert.Equal(size / 16, key.P!.Length);
        Assert.Equal(size / 16, key.Q!.Length);
        Assert.Equal(size / 16, key.DP!.Length);
        Assert.Equal(size / 16, key.DQ!.Length);
        Assert.Equal(size / 16, key.QI!.Length);
        Assert.Null(key.Crv);
        Assert.Null(key.K);
        using var rsa = key.CreateRsa(includePrivate: true);
        using var pub = key.CreateRsa(includePrivate: false);
        var digest = SHA256.HashData("probe"u8);
        Assert.True(pub.VerifyHash(digest, rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pss), HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
    }

    private static KeyhubException AssertBad(Action action)
    {
        var error = Assert.Throws<KeyhubException>(action);
        Assert.Equal(400, error.Status);
        Assert.Equal("BadParameter", error.Code);
        return error;
    }

    private static KeyhubException AssertBad(Func<object?> action) => AssertBad(() => { action(); });
}
