using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyhub.Core.Storage;
using Microsoft.Azure.KeyVault;
using Keyhub.Pkcs11.Tests;
using Keyhub.Server.Tests.Keys;
using static Keyhub.Server.Tests.Keys.RawKeysClient;

namespace Keyhub.Server.Tests.Hsm;

/// <summary>
/// A premium vault's -HSM keys against SoftHSM2: created and imported into the token as sensitive, never-extractable
/// objects, used there for every mechanism the token offers, refused by name for the ones it lacks, never backed up,
/// and destroyed in the token when purged. Signatures and ciphertexts are checked against .NET's own crypto with
/// nothing but the public JWK.
/// </summary>
[Collection(HsmCollection.Name)]
public sealed class PremiumVaultKeyTests(HsmTokens tokens)
{
    [SoftHsmTheory]
    [InlineData("RS256")]
    [InlineData("RS384")]
    [InlineData("RS512")]
    [InlineData("PS256")]
    [InlineData("PS384")]
    [InlineData("PS512")]
    public async Task RSA_HSM_signatures_made_in_the_token_verify_with_dotnet_and_in_Keyhub(string alg)
    {
        var vault = await tokens.PremiumVaultAsync();
        var bundle = await SharedRsaAsync(vault);
        var name = Name(bundle);
        var digest = TestJwk.Digest(alg, RandomNumberGenerator.GetBytes(100));

        var (signature, _) = await vault.Admin.OperateOkAsync(name, null, "sign", new JsonObject { ["alg"] = alg, ["value"] = B64(digest) });

        using var rsa = TestJwk.PublicRsa(bundle);
        var padding = alg.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        Assert.True(rsa.VerifyHash(digest, signature, TestJwk.Hash(alg), padding));
        Assert.True(await VerifyAsync(vault, name, alg, digest, signature));
        signature[^1] ^= 1;
        Assert.False(await VerifyAsync(vault, name, alg, digest, signature));
    }

    [SoftHsmTheory]
    [InlineData("P-256", "ES256")]
    [InlineData("P-384", "ES384")]
    [InlineData("P-521", "ES512")]
    [InlineData("P-256K", "ES256K")]
    public async Task EC_HSM_keys_are_generated_in_the_token_and_their_signatures_verify_with_dotnet(string curve, string alg)
    {
        var vault = await tokens.PremiumVaultAsync();
        var before = vault.Token.ListKeyIds().Select(Convert.ToHexString).ToHashSet();
        var bundle = await vault.Admin.CreateOkAsync(UniqueName("ec-hsm"), "EC-HSM", crv: curve);
        var digest = TestJwk.Digest(alg, RandomNumberGenerator.GetBytes(100));

        var (signature, _) = await vault.Admin.OperateOkAsync(Name(bundle), null, "sign", new JsonObject { ["alg"] = alg, ["value"] = B64(digest) });

        Assert.Equal("EC-HSM", bundle.GetProperty("key").GetProperty("kty").GetString());
        TestJwk.HasNoPrivateParts(bundle);
        using var ecdsa = TestJwk.PublicEcdsa(bundle);
        Assert.True(ecdsa.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.True(await VerifyAsync(vault, Name(bundle), alg, digest, signature));
        AssertPrivateObjectsLocked(vault, before, "private");
    }

    [SoftHsmFact]
    public async Task RSA_HSM_keys_live_in_the_token_as_non_extractable_sensitive_objects_and_the_database_holds_no_private_part()
    {
        var vault = await tokens.PremiumVaultAsync();
        var before = vault.Token.ListKeyIds().Select(Convert.ToHexString).ToHashSet();
        var name = UniqueName("rsa-hsm");

        var bundle = await vault.Admin.CreateOkAsync(name, "RSA-HSM", 2048);

        Assert.Equal("RSA-HSM", bundle.GetProperty("key").GetProperty("kty").GetString());
        Assert.Equal(256, Bytes(bundle.GetProperty("key"), "n").Length);
        TestJwk.HasNoPrivateParts(bundle);
        var created = AssertPrivateObjectsLocked(vault, before, "private");
        var stored = await StoredMaterialAsync(vault, name, Version(bundle));
        Assert.Equal(created, Convert.ToHexString(stored.HsmId));
    }

    [SoftHsmFact]
    public async Task RSA_HSM_keys_decrypt_and_unwrap_in_the_token_what_dotnet_encrypted_and_OAEP_256_is_refused_by_name()
    {
        var vault = await tokens.PremiumVaultAsync();
        var bundle = await SharedRsaAsync(vault);
        var name = Name(bundle);
        using var rsa = TestJwk.PublicRsa(bundle);
        var secret = RandomNumberGenerator.GetBytes(32);

        foreach (var (alg, padding) in new[] { ("RSA1_5", RSAEncryptionPadding.Pkcs1), ("RSA-OAEP", RSAEncryptionPadding.OaepSHA1) })
        {
            var ciphertext = rsa.Encrypt(secret, padding);
            Assert.Equal(secret, (await vault.Admin.OperateOkAsync(name, null, "decrypt", Body(alg, ciphertext))).Value);
            Assert.Equal(secret, (await vault.Admin.OperateOkAsync(name, null, "unwrapKey", Body(alg, ciphertext))).Value);
            var (encrypted, _) = await vault.Admin.OperateOkAsync(name, null, "encrypt", Body(alg, secret));
            Assert.Equal(secret, (await vault.Admin.OperateOkAsync(name, null, "decrypt", Body(alg, encrypted))).Value);
        }
        var refused = await vault.Admin.OperateAsync(name, null, "decrypt", Body("RSA-OAEP-256", rsa.Encrypt(secret, RSAEncryptionPadding.OaepSHA256)));
        var message = refused.Error(HttpStatusCode.BadRequest, "BadParameter");
        Assert.Contains("RSA-OAEP-256", message, StringComparison.Ordinal);
        Assert.Contains("never performs an HSM key's operation in software", message, StringComparison.Ordinal);
        var garbage = await vault.Admin.OperateAsync(name, null, "decrypt", Body("RSA-OAEP", RandomNumberGenerator.GetBytes(256)));
        garbage.Error(HttpStatusCode.BadRequest, "BadParameter");
    }

    [SoftHsmTheory]
    [InlineData(128)]
    [InlineData(256)]
    public async Task Oct_HSM_keys_encrypt_with_GCM_and_CBC_and_wrap_keys_inside_the_token(int bits)
    {
        var vault = await tokens.PremiumVaultAsync();
        var before = vault.Token.ListKeyIds().Select(Convert.ToHexString).ToHashSet();
        var bundle = await vault.Admin.CreateOkAsync(UniqueName("oct-hsm"), "oct-HSM", bits);
        var name = Name(bundle);
        var plaintext = RandomNumberGenerator.GetBytes(45);
        var aad = RandomNumberGenerator.GetBytes(20);
        Assert.Equal("oct-HSM", bundle.GetProperty("key").GetProperty("kty").GetString());
        AssertPrivateObjectsLocked(vault, before, "secret");

        var (ciphertext, gcm) = await vault.Admin.OperateOkAsync(name, null, "encrypt", Body($"A{bits}GCM", plaintext, aad: aad));
        var iv = Bytes(gcm, "iv");
        var tag = Bytes(gcm, "tag");
        Assert.Equal(plaintext, (await vault.Admin.OperateOkAsync(name, null, "decrypt", Body($"A{bits}GCM", ciphertext, iv, aad, tag))).Value);
        tag[0] ^= 1;
        (await vault.Admin.OperateAsync(name, null, "decrypt", Body($"A{bits}GCM", ciphertext, iv, aad, tag))).Error(HttpStatusCode.BadRequest, "BadParameter");

        var cbcIv = RandomNumberGenerator.GetBytes(16);
        var (padded, _) = await vault.Admin.OperateOkAsync(name, null, "encrypt", Body($"A{bits}CBCPAD", plaintext, cbcIv));
        Assert.Equal(48, padded.Length);
        Assert.Equal(plaintext, (await vault.Admin.OperateOkAsync(name, null, "decrypt", Body($"A{bits}CBCPAD", padded, cbcIv))).Value);
        var blocks = RandomNumberGenerator.GetBytes(32);
        var (cbc, _) = await vault.Admin.OperateOkAsync(name, null, "encrypt", Body($"A{bits}CBC", blocks, cbcIv));
        Assert.Equal(blocks, (await vault.Admin.OperateOkAsync(name, null, "decrypt", Body($"A{bits}CBC", cbc, cbcIv))).Value);

        var keyToWrap = RandomNumberGenerator.GetBytes(32);
        var (wrapped, _) = await vault.Admin.OperateOkAsync(name, null, "wrapKey", Body($"A{bits}KW", keyToWrap));
        Assert.Equal(40, wrapped.Length);
        Assert.Equal(keyToWrap, (await vault.Admin.OperateOkAsync(name, null, "unwrapKey", Body($"A{bits}KW", wrapped))).Value);
        wrapped[3] ^= 1;
        (await vault.Admin.OperateAsync(name, null, "unwrapKey", Body($"A{bits}KW", wrapped))).Error(HttpStatusCode.BadRequest, "BadParameter");
    }

    [SoftHsmFact]
    public async Task Imported_RSA_and_EC_keys_go_into_the_token_locked_and_sign_as_the_original_key()
    {
        var vault = await tokens.PremiumVaultAsync();
        using var original = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var before = vault.Token.ListKeyIds().Select(Convert.ToHexString).ToHashSet();

        var rsaBundle = await vault.Admin.ImportOkAsync(UniqueName("imported-rsa"), TestJwk.Rsa(original.ExportParameters(true)), new JsonObject { ["Hsm"] = true });
        var ecJwk = TestJwk.Ec(ec.ExportParameters(true), "P-384");
        ecJwk["kty"] = "EC-HSM";
        var ecBundle = await vault.Admin.ImportOkAsync(UniqueName("imported-ec"), ecJwk);

        Assert.Equal("RSA-HSM", rsaBundle.GetProperty("key").GetProperty("kty").GetString());
        Assert.Equal("EC-HSM", ecBundle.GetProperty("key").GetProperty("kty").GetString());
        var created = vault.Token.ListKeyIds().Select(Convert.ToHexString).Where(id => !before.Contains(id)).ToList();
        Assert.Equal(2, created.Count);
        foreach (var id in created)
        {
            var locked = vault.Token.Inspect(Convert.FromHexString(id)).Objects.Single(o => o.Class == "private");
            Assert.Equal((false, true), (locked.Extractable, locked.Sensitive));
        }
        var digest = SHA256.HashData(RandomNumberGenerator.GetBytes(10));
        var (rsaSignature, _) = await vault.Admin.OperateOkAsync(Name(rsaBundle), null, "sign", new JsonObject { ["alg"] = "RS256", ["value"] = B64(digest) });
        Assert.True(original.VerifyHash(digest, rsaSignature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        var digest384 = SHA384.HashData(RandomNumberGenerator.GetBytes(10));
        var (ecSignature, _) = await vault.Admin.OperateOkAsync(Name(ecBundle), null, "sign", new JsonObject { ["alg"] = "ES384", ["value"] = B64(digest384) });
        Assert.True(ec.VerifyHash(digest384, ecSignature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        await StoredMaterialAsync(vault, Name(rsaBundle), Version(rsaBundle));
    }

    [SoftHsmFact]
    public async Task An_HSM_key_cannot_be_backed_up_rotates_into_a_new_token_object_and_its_objects_go_when_it_is_purged()
    {
        var vault = await tokens.PremiumVaultAsync();
        var before = vault.Token.ListKeyIds().Select(Convert.ToHexString).ToHashSet();
        var name = UniqueName("hsm-lifecycle");
        await vault.Admin.CreateOkAsync(name, "EC-HSM", crv: "P-256");

        var backup = await vault.Admin.SendAsync(HttpMethod.Post, $"/keys/{name}/backup");
        var rotated = (await vault.Admin.SendAsync(HttpMethod.Post, $"/keys/{name}/rotate")).Ok();

        Assert.Contains("cannot be backed up", backup.Error(HttpStatusCode.BadRequest, "BadParameter"), StringComparison.Ordinal);
        Assert.Equal("EC-HSM", rotated.GetProperty("key").GetProperty("kty").GetString());
        var objects = vault.Token.ListKeyIds().Select(Convert.ToHexString).Where(id => !before.Contains(id)).ToList();
        Assert.Equal(2, objects.Count);
        (await vault.Admin.SendAsync(HttpMethod.Delete, $"/keys/{name}")).Ok();
        Assert.Equal(HttpStatusCode.NoContent, (await vault.Admin.SendAsync(HttpMethod.Delete, $"/deletedkeys/{name}")).Status);
        Assert.DoesNotContain(vault.Token.ListKeyIds().Select(Convert.ToHexString), objects.Contains);
    }

    [SoftHsmFact]
    public async Task The_official_KeyVaultClient_creates_an_RSA_HSM_key_and_signs_and_unwraps_with_it()
    {
        var vault = await tokens.PremiumVaultAsync();
        using var legacy = new LegacyKeyVaultClient(vault.Server);
        var key = await legacy.Client.CreateKeyAsync(legacy.VaultBaseUrl, UniqueName("legacy-hsm"), "RSA-HSM");
        var digest = SHA256.HashData(RandomNumberGenerator.GetBytes(10));

        var signature = await legacy.Client.SignAsync(key.Key.Kid, "PS256", digest);
        var wrapped = await legacy.Client.WrapKeyAsync(key.Key.Kid, "RSA-OAEP", digest);

        Assert.Equal("RSA-HSM", key.Key.Kty);
        Assert.True(await legacy.Client.VerifyAsync(key.Key.Kid, "PS256", digest, signature.Result));
        Assert.Equal(digest, (await legacy.Client.UnwrapKeyAsync(key.Key.Kid, "RSA-OAEP", wrapped.Result)).Result);
    }

    [SoftHsmFact]
    public async Task A_standard_vault_keeps_refusing_HSM_key_types()
    {
        var vault = await tokens.PremiumVaultAsync();
        var standard = "standard-" + Guid.NewGuid().ToString("N")[..8];
        var (status, body) = await Credentials.CredentialKit.ManageAsync(vault.Server, HttpMethod.Post, "/vaults", new { name = standard, port = Infrastructure.FreePort.Next() });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("standard", body!["sku"]!.GetValue<string>());
        var officer = await vault.Server.AddPrincipalAsync("crypto-" + standard, Keyhub.Core.Authorization.BuiltInRoles.CryptoOfficer, $"/vaults/{standard}");
        using var http = vault.Server.HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", await Security.TokenRequests.AccessTokenAsync(vault.Server, officer.ClientId, officer.ClientSecret));
        var port = body["port"]!.GetValue<int>();
        using var response = await http.PostAsync(
            new Uri($"https://localhost:{port}/keys/refused/create?api-version=7.6"),
            System.Net.Http.Json.JsonContent.Create(new { kty = "RSA-HSM" }));
        var refused = new KeyResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(), response.RequestMessage!.RequestUri);

        Assert.Contains("premium", refused.Error(HttpStatusCode.BadRequest, "BadParameter"), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> SharedRsaAsync(PremiumVault vault)
    {
        s_rsa ??= vault.Admin.CreateOkAsync(UniqueName("shared-rsa-hsm"), "RSA-HSM", 2048);
        return await s_rsa;
    }

    private static Task<JsonElement>? s_rsa;

    private static async Task<bool> VerifyAsync(PremiumVault vault, string name, string alg, byte[] digest, byte[] signature) =>
        (await vault.Admin.OperateAsync(name, null, "verify", VerifyBody(alg, digest, signature))).Ok().GetProperty("value").GetBoolean();

    /// <summary>The one new key id on the token since <paramref name="before"/>; its private or secret object is sensitive and not extractable.</summary>
    private static string AssertPrivateObjectsLocked(PremiumVault vault, HashSet<string> before, string objectClass)
    {
        var created = Assert.Single(vault.Token.ListKeyIds().Select(Convert.ToHexString), id => !before.Contains(id));
        var info = vault.Token.Inspect(Convert.FromHexString(created));
        var locked = Assert.Single(info.Objects, o => o.Class == objectClass);
        Assert.True(locked.Token);
        Assert.Equal(false, locked.Extractable);
        Assert.Equal(true, locked.Sensitive);
        Assert.Equal(true, locked.NeverExtractable);
        return created;
    }

    /// <summary>The key version's payload as the store holds it (decrypted through the barrier).</summary>
    private static async Task<StoredHsmKey> StoredMaterialAsync(PremiumVault vault, string name, string version)
    {
        var runtime = vault.Server.Server.Runtime;
        var record = await runtime.Store.GetAsync(new RecordKey("hub", "key-version", name.ToLowerInvariant(), version), CancellationToken.None);
        Assert.NotNull(record);
        var payload = SealedJson.Decrypt<JsonElement>(runtime.Seal.Barrier, record);
        var material = payload.GetProperty("material");
        foreach (var member in TestJwk.PrivateMembers)
        {
            Assert.True(!material.TryGetProperty(member, out var value) || value.ValueKind == JsonValueKind.Null, $"stored material has '{member}'");
        }
        return new StoredHsmKey(payload.GetProperty("hsmId").GetBytesFromBase64());
    }

    private sealed record StoredHsmKey(byte[] HsmId);
}
