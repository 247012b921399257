using System.Security.Cryptography;
using System.Text.Json;
using static Keyhub.Server.Tests.Keys.RawKeysClient;

namespace Keyhub.Server.Tests.Keys;

/// <summary>
/// Keyhub's RSA and ECDSA against .NET's own implementation, with nothing shared but the public JWK
/// Keyhub returns: its signatures verify locally, and what is encrypted locally decrypts in Keyhub.
/// </summary>
[Collection(KeysServerCollection.Name)]
public sealed class KeyRsaEcInteropTests(KeysServer fixture)
{
    private RawKeysClient Admin => fixture.Admin;

    public static TheoryData<string> RsaSignatureAlgorithms => ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

    [Theory]
    [MemberData(nameof(RsaSignatureAlgorithms))]
    public async Task RSA_2048_signatures_made_by_Keyhub_verify_with_dotnet_RSA_from_the_public_JWK(string alg)
    {
        var bundle = await fixture.Rsa2048Async();
        await AssertRsaSignatureInteropAsync(bundle, alg);
    }

    [Fact]
    public async Task RSA_3072_and_4096_keys_sign_for_dotnet_and_decrypt_what_dotnet_encrypted()
    {
        foreach (var (bundle, bits) in new[] { (await fixture.Rsa3072Async(), 3072), (await fixture.Rsa4096Async(), 4096) })
        {
            using var rsa = TestJwk.PublicRsa(bundle);
            Assert.Equal(bits, rsa.KeySize);
            Assert.Equal(bits / 8, Bytes(bundle.GetProperty("key"), "n").Length);
            Assert.Equal("AQAB", bundle.GetProperty("key").GetProperty("e").GetString());
            TestJwk.HasNoPrivateParts(bundle);
            foreach (var alg in new[] { "RS384", "PS512" })
            {
                await AssertRsaSignatureInteropAsync(bundle, alg);
            }
            foreach (var alg in new[] { "RSA1_5", "RSA-OAEP", "RSA-OAEP-256" })
            {
                await AssertLocalEncryptionDecryptsInKeyhubAsync(bundle, alg);
            }
        }
    }

    [Theory]
    [InlineData("ES256", "P-256", 32)]
    [InlineData("ES384", "P-384", 48)]
    [InlineData("ES512", "P-521", 66)]
    [InlineData("ES256K", "P-256K", 32)]
    public async Task ECDSA_signatures_made_by_Keyhub_are_JOSE_r_s_and_verify_with_dotnet_ECDsa(string alg, string crv, int coordinateSize)
    {
        var bundle = await fixture.SharedKeyAsync("ec-" + crv, "EC", crv: crv);
        var name = Name(bundle);
        var key = bundle.GetProperty("key");
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal(crv, key.GetProperty("crv").GetString());
        Assert.Equal(coordinateSize, Bytes(key, "x").Length);
        Assert.Equal(coordinateSize, Bytes(key, "y").Length);
        TestJwk.HasNoPrivateParts(bundle);
        using var ecdsa = TestJwk.PublicEcdsa(bundle);

        for (var i = 0; i < 3; i++)
        {
            var data = RandomNumberGenerator.GetBytes(100 + i);
            var digest = TestJwk.Digest(alg, data);
            var (signature, answer) = await Admin.OperateOkAsync(name, Version(bundle), "sign", Body(alg, digest));

            Assert.Equal(bundle.GetProperty("key").GetProperty("kid").GetString(), answer.GetProperty("kid").GetString());
            // JOSE's r‖s, fixed width: not DER.
            Assert.Equal(2 * coordinateSize, signature.Length);
            Assert.True(ecdsa.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation), $"{alg} signature did not verify locally.");
            Assert.True(ecdsa.VerifyData(data, signature, TestJwk.Hash(alg), DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
            var other = TestJwk.Digest(alg, [.. data, 0]);
            Assert.False(ecdsa.VerifyHash(other, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
            Assert.True((await Admin.OperateAsync(name, null, "verify", VerifyBody(alg, digest, signature))).Ok().GetProperty("value").GetBoolean());
            Assert.False((await Admin.OperateAsync(name, null, "verify", VerifyBody(alg, other, signature))).Ok().GetProperty("value").GetBoolean());
        }
    }

    [Fact]
    public async Task ECDSA_signatures_made_by_dotnet_on_an_imported_key_verify_in_Keyhub()
    {
        using var local = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var name = UniqueName("ec-import-verify");
        await Admin.ImportOkAsync(name, TestJwk.Ec(local.ExportParameters(includePrivateParameters: true), "P-384"));
        var digest = SHA384.HashData("signed locally"u8);
        var signature = local.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        Assert.True((await Admin.OperateAsync(name, null, "verify", VerifyBody("ES384", digest, signature))).Ok().GetProperty("value").GetBoolean());
        signature[^1] ^= 1;
        Assert.False((await Admin.OperateAsync(name, null, "verify", VerifyBody("ES384", digest, signature))).Ok().GetProperty("value").GetBoolean());
    }

    [Theory]
    [InlineData("RSA1_5")]
    [InlineData("RSA-OAEP")]
    [InlineData("RSA-OAEP-256")]
    public async Task Data_encrypted_locally_with_the_public_JWK_decrypts_and_unwraps_in_Keyhub(string alg)
    {
        await AssertLocalEncryptionDecryptsInKeyhubAsync(await fixture.Rsa2048Async(), alg);
    }

    [Theory]
    [InlineData("RSA1_5")]
    [InlineData("RSA-OAEP")]
    [InlineData("RSA-OAEP-256")]
    public async Task Keyhub_encryption_with_an_imported_RSA_key_decrypts_with_the_original_private_key(string alg)
    {
        using var local = RSA.Create(2048);
        var name = UniqueName("rsa-import-" + alg.ToLowerInvariant().Replace('_', '-'));
        var bundle = await Admin.ImportOkAsync(name, TestJwk.Rsa(local.ExportParameters(includePrivateParameters: true)));
        TestJwk.HasNoPrivateParts(bundle);
        Assert.Equal(local.ExportParameters(false).Modulus, Bytes(bundle.GetProperty("key"), "n"));
        var plaintext = RandomNumberGenerator.GetBytes(32);

        var (ciphertext, _) = await Admin.OperateOkAsync(name, null, "encrypt", Body(alg, plaintext));
        var (wrapped, _) = await Admin.OperateOkAsync(name, null, "wrapKey", Body(alg, plaintext));

        Assert.Equal(256, ciphertext.Length);
        Assert.Equal(plaintext, local.Decrypt(ciphertext, Padding(alg)));
        Assert.Equal(plaintext, local.Decrypt(wrapped, Padding(alg)));
    }

    private async Task AssertRsaSignatureInteropAsync(JsonElement bundle, string alg)
    {
        var name = Name(bundle);
        using var rsa = TestJwk.PublicRsa(bundle);
        var padding = alg.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        var data = RandomNumberGenerator.GetBytes(257);
        var digest = TestJwk.Digest(alg, data);

        var (signature, answer) = await Admin.OperateOkAsync(name, Version(bundle), "sign", Body(alg, digest));

        Assert.Equal(bundle.GetProperty("key").GetProperty("kid").GetString(), answer.GetProperty("kid").GetString());
        Assert.Equal(rsa.KeySize / 8, signature.Length);
        Assert.True(rsa.VerifyHash(digest, signature, TestJwk.Hash(alg), padding), $"{alg} signature did not verify locally.");
        Assert.True(rsa.VerifyData(data, signature, TestJwk.Hash(alg), padding));
        var other = TestJwk.Digest(alg, [.. data, 1]);
        Assert.False(rsa.VerifyHash(other, signature, TestJwk.Hash(alg), padding));
        // PKCS#1 v1.5 on the wrong padding scheme must not verify either: the JOSE name picks the scheme.
        Assert.False(rsa.VerifyHash(digest, signature, TestJwk.Hash(alg), padding == RSASignaturePadding.Pss ? RSASignaturePadding.Pkcs1 : RSASignaturePadding.Pss));
        Assert.True((await Admin.OperateAsync(name, null, "verify", VerifyBody(alg, digest, signature))).Ok().GetProperty("value").GetBoolean());
        Assert.False((await Admin.OperateAsync(name, null, "verify", VerifyBody(alg, other, signature))).Ok().GetProperty("value").GetBoolean());
    }

    private async Task AssertLocalEncryptionDecryptsInKeyhubAsync(JsonElement bundle, string alg)
    {
        var name = Name(bundle);
        using var rsa = TestJwk.PublicRsa(bundle);
        var plaintext = RandomNumberGenerator.GetBytes(32);
        var ciphertext = rsa.Encrypt(plaintext, Padding(alg));

        var (decrypted, answer) = await Admin.OperateOkAsync(name, Version(bundle), "decrypt", Body(alg, ciphertext));
        var (unwrapped, _) = await Admin.OperateOkAsync(name, null, "unwrapKey", Body(alg, rsa.Encrypt(plaintext, Padding(alg))));

        Assert.Equal(plaintext, decrypted);
        Assert.Equal(plaintext, unwrapped);
        Assert.Equal(bundle.GetProperty("key").GetProperty("kid").GetString(), answer.GetProperty("kid").GetString());
    }

    private static RSAEncryptionPadding Padding(string alg) => alg switch
    {
        "RSA1_5" => RSAEncryptionPadding.Pkcs1,
        // RSA-OAEP is SHA-1 OAEP by definition (RFC 7518 §4.3).
        "RSA-OAEP" => RSAEncryptionPadding.OaepSHA1,
        "RSA-OAEP-256" => RSAEncryptionPadding.OaepSHA256,
        _ => throw new ArgumentOutOfRangeException(nameof(alg), alg, null),
    };
}
