using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using static Keyhub.Server.Tests.Keys.RawKeysClient;

namespace Keyhub.Server.Tests.Keys;

/// <summary>
/// Keyhub's AES on imported oct keys against published vectors and independent implementations:
/// RFC 3394 §4 and BouncyCastle's <c>AesWrapEngine</c> for A*KW, the GCM specification's test cases and
/// .NET's <c>AesGcm</c> for A*GCM, and .NET's <c>Aes.EncryptCbc</c> for A*CBC and A*CBCPAD.
/// </summary>
[Collection(KeysServerCollection.Name)]
public sealed class KeyAesInteropTests(KeysServer fixture)
{
    private const string Kek128 = "000102030405060708090A0B0C0D0E0F";
    private const string Kek192 = "000102030405060708090A0B0C0D0E0F1011121314151617";
    private const string Kek256 = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
    private const string Data128 = "00112233445566778899AABBCCDDEEFF";
    private const string Data192 = "00112233445566778899AABBCCDDEEFF0001020304050607";
    private const string Data256 = "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F";

    // The GCM specification's test cases 4, 10 and 16 (McGrew and Viega; the NIST GCM validation vectors):
    // 60 bytes of plaintext, 20 bytes of associated data, a 96-bit IV.
    private const string GcmIv = "cafebabefacedbaddecaf888";
    private const string GcmAad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
    private const string GcmPlaintext = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";

    private RawKeysClient Admin => fixture.Admin;

    public static TheoryData<string, string, string, string> Rfc3394Vectors => new()
    {
        { "4.1", Kek128, Data128, "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5" },
        { "4.2", Kek192, Data128, "96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D" },
        { "4.3", Kek256, Data128, "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7" },
        { "4.4", Kek192, Data192, "031D33264E15D33268F24EC260743EDCE1C6C7DDEE725A936BA814915C6762D2" },
        { "4.5", Kek256, Data192, "A8F9BC1612C68B3FF6E6F4FBE30E71E4769C8B80A32CB8958CD5D17D6B254DA1" },
        { "4.6", Kek256, Data256, "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21" },
    };

    [Theory]
    [MemberData(nameof(Rfc3394Vectors))]
    public async Task AES_key_wrap_of_an_imported_key_reproduces_RFC_3394_and_unwraps_with_BouncyCastle(string section, string kekHex, string dataHex, string expectedHex)
    {
        var kek = Convert.FromHexString(kekHex);
        var data = Convert.FromHexString(dataHex);
        var expected = Convert.FromHexString(expectedHex);
        var alg = $"A{kek.Length * 8}KW";
        var name = UniqueName("rfc3394-" + section.Replace('.', '-'));
        await Admin.ImportOkAsync(name, TestJwk.Oct(kek));

        var (wrapped, _) = await Admin.OperateOkAsync(name, null, "wrapKey", Body(alg, data));

        Assert.Equal(expectedHex, Convert.ToHexString(wrapped));
        Assert.Equal(data, BouncyCastle(kek, forWrapping: false, expected));
        var (unwrapped, _) = await Admin.OperateOkAsync(name, null, "unwrapKey", Body(alg, expected));
        Assert.Equal(data, unwrapped);

        // And the other way round with data nobody has seen: BouncyCastle wraps, Keyhub unwraps, and back.
        var fresh = RandomNumberGenerator.GetBytes(40);
        var byBouncyCastle = BouncyCastle(kek, forWrapping: true, fresh);
        Assert.Equal(fresh, (await Admin.OperateOkAsync(name, null, "unwrapKey", Body(alg, byBouncyCastle))).Value);
        Assert.Equal(byBouncyCastle, (await Admin.OperateOkAsync(name, null, "wrapKey", Body(alg, fresh))).Value);
    }

    [Theory]
    [InlineData("feffe9928665731c6d6a8f9467308308",
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
        "5bc94fbc3221a5db94fae95ae7121a47")]
    [InlineData("feffe9928665731c6d6a8f9467308308feffe9928665731c",
        "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710",
        "2519498e80f1478f37ba55bd6d27618c")]
    [InlineData("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
        "76fc6ece0f4e1768cddf8853bb2d551b")]
    public async Task AES_GCM_decrypts_the_GCM_specification_known_answer_vectors(string keyHex, string ciphertextHex, string tagHex)
    {
        var key = Convert.FromHexString(keyHex);
        var (iv, aad, ciphertext, tag) = (Convert.FromHexString(GcmIv), Convert.FromHexString(GcmAad), Convert.FromHexString(ciphertextHex), Convert.FromHexString(tagHex));
        var name = UniqueName($"gcm-kat-{key.Length * 8}");
        await Admin.ImportOkAsync(name, TestJwk.Oct(key));

        var (plaintext, _) = await Admin.OperateOkAsync(name, null, "decrypt", Body($"A{key.Length * 8}GCM", ciphertext, iv, aad, tag));

        Assert.Equal(GcmPlaintext, Convert.ToHexStringLower(plaintext));
    }

    [Theory]
    [InlineData(16, true)]
    [InlineData(24, true)]
    [InlineData(32, true)]
    [InlineData(32, false)]
    public async Task AES_GCM_ciphertext_from_Keyhub_decrypts_with_dotnet_AesGcm_and_back(int keyBytes, bool withAad)
    {
        var key = RandomNumberGenerator.GetBytes(keyBytes);
        var alg = $"A{keyBytes * 8}GCM";
        var name = UniqueName("gcm-interop");
        await Admin.ImportOkAsync(name, TestJwk.Oct(key));
        var plaintext = RandomNumberGenerator.GetBytes(77);
        var aad = withAad ? RandomNumberGenerator.GetBytes(21) : null;
        using var gcm = new AesGcm(key, 16);

        var (ciphertext, answer) = await Admin.OperateOkAsync(name, null, "encrypt", Body(alg, plaintext, aad: aad));
        var iv = Bytes(answer, "iv");
        var tag = Bytes(answer, "tag");
        Assert.Equal(12, iv.Length);
        Assert.Equal(16, tag.Length);
        Assert.Equal(plaintext.Length, ciphertext.Length);
        var decrypted = new byte[ciphertext.Length];
        gcm.Decrypt(iv, ciphertext, tag, decrypted, aad);
        Assert.Equal(plaintext, decrypted);
        if (aad is not null)
        {
            Assert.Equal(aad, Bytes(answer, "aad"));
        }

        // Two encryptions of the same plaintext never share an IV.
        var (_, again) = await Admin.OperateOkAsync(name, null, "encrypt", Body(alg, plaintext, aad: aad));
        Assert.NotEqual(iv, Bytes(again, "iv"));

        var localIv = RandomNumberGenerator.GetBytes(12);
        var localCiphertext = new byte[plaintext.Length];
        var localTag = new byte[16];
        gcm.Encrypt(localIv, plaintext, localCiphertext, localTag, aad);
        var (fromKeyhub, _) = await Admin.OperateOkAsync(name, null, "decrypt", Body(alg, localCiphertext, localIv, aad, localTag));
        Assert.Equal(plaintext, fromKeyhub);
    }

    [Theory]
    [InlineData(16, "CBC", 32)]
    [InlineData(24, "CBC", 48)]
    [InlineData(32, "CBC", 16)]
    [InlineData(16, "CBCPAD", 0)]
    [InlineData(24, "CBCPAD", 37)]
    [InlineData(32, "CBCPAD", 64)]
    public async Task AES_CBC_and_CBCPAD_match_dotnet_Aes_EncryptCbc_with_the_same_IV(int keyBytes, string mode, int plaintextLength)
    {
        var key = RandomNumberGenerator.GetBytes(keyBytes);
        var alg = $"A{keyBytes * 8}{mode}";
        var padding = mode == "CBC" ? PaddingMode.None : PaddingMode.PKCS7;
        var name = UniqueName("cbc-interop");
        await Admin.ImportOkAsync(name, TestJwk.Oct(key));
        var plaintext = RandomNumberGenerator.GetBytes(plaintextLength);
        var iv = RandomNumberGenerator.GetBytes(16);
        using var aes = Aes.Create();
        aes.Key = key;

        var (ciphertext, answer) = await Admin.OperateOkAsync(name, null, "encrypt", Body(alg, plaintext, iv));

        Assert.Equal(aes.EncryptCbc(plaintext, iv, padding), ciphertext);
        Assert.Equal(iv, Bytes(answer, "iv"));
        Assert.Equal(plaintext, (await Admin.OperateOkAsync(name, null, "decrypt", Body(alg, ciphertext, iv))).Value);
        var localIv = RandomNumberGenerator.GetBytes(16);
        var local = aes.EncryptCbc(plaintext, localIv, padding);
        Assert.Equal(plaintext, (await Admin.OperateOkAsync(name, null, "decrypt", Body(alg, local, localIv))).Value);
    }

    [Fact]
    public async Task A_generated_oct_key_round_trips_every_AES_mode_its_size_allows()
    {
        var bundle = await Admin.CreateOkAsync(UniqueName("oct-generated"), "oct", 192);
        var name = Name(bundle);
        TestJwk.HasNoPrivateParts(bundle);
        Assert.Equal("oct", bundle.GetProperty("key").GetProperty("kty").GetString());
        Assert.Equal(
            new[] { "decrypt", "encrypt", "unwrapKey", "wrapKey" },
            bundle.GetProperty("key").GetProperty("key_ops").EnumerateArray().Select(o => o.GetString()!).Order(StringComparer.Ordinal));
        var secret = RandomNumberGenerator.GetBytes(32);

        var (gcm, gcmAnswer) = await Admin.OperateOkAsync(name, null, "encrypt", Body("A192GCM", secret));
        Assert.Equal(secret, (await Admin.OperateOkAsync(name, null, "decrypt", Body("A192GCM", gcm, Bytes(gcmAnswer, "iv"), tag: Bytes(gcmAnswer, "tag")))).Value);
        var iv = RandomNumberGenerator.GetBytes(16);
        var (cbc, _) = await Admin.OperateOkAsync(name, null, "encrypt", Body("A192CBCPAD", secret, iv));
        Assert.Equal(48, cbc.Length);
        Assert.Equal(secret, (await Admin.OperateOkAsync(name, null, "decrypt", Body("A192CBCPAD", cbc, iv))).Value);
        var (wrapped, _) = await Admin.OperateOkAsync(name, null, "wrapKey", Body("A192KW", secret));
        Assert.Equal(40, wrapped.Length);
        Assert.Equal(secret, (await Admin.OperateOkAsync(name, null, "unwrapKey", Body("A192KW", wrapped))).Value);
    }

    private static byte[] BouncyCastle(byte[] kek, bool forWrapping, byte[] input)
    {
        var engine = new AesWrapEngine();
        engine.Init(forWrapping, new KeyParameter(kek));
        return forWrapping ? engine.Wrap(input, 0, input.Length) : engine.Unwrap(input, 0, input.Length);
    }
}
