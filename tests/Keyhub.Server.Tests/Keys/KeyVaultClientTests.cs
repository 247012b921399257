using System.Net;
using System.Security.Cryptography;
using Keyhub.Server.Tests.Infrastructure;
using Microsoft.Azure.KeyVault;
using Microsoft.Azure.KeyVault.Models;
using Microsoft.Azure.KeyVault.WebKey;
using Microsoft.Rest.Azure;
using static Keyhub.Server.Tests.Keys.RawKeysClient;

namespace Keyhub.Server.Tests.Keys;

/// <summary>
/// The older official client, <c>Microsoft.Azure.KeyVault</c> 3.0.5 <c>KeyVaultClient</c> (api-version 7.0),
/// against a real Keyhub over TLS: create, import, get, list, sign/verify, wrap/unwrap, encrypt/decrypt,
/// backup/restore and delete/recover/purge.
/// </summary>
[Collection(KeysServerCollection.Name)]
public sealed class KeyVaultClientTests(KeysServer fixture)
{
    private KeyhubTestServer Server => fixture.Server;

    [Fact]
    public async Task Creates_RSA_EC_and_oct_keys_after_answering_the_challenge_with_a_Keyhub_token()
    {
        using var legacy = new LegacyKeyVaultClient(Server);
        var client = legacy.Client;
        var vault = legacy.VaultBaseUrl;
        var rsaName = UniqueName("legacy-rsa");
        var ecName = UniqueName("legacy-ec");
        var octName = UniqueName("legacy-oct");

        var rsa = await client.CreateKeyAsync(vault, rsaName, "RSA", keySize: 2048, tags: new Dictionary<string, string> { ["team"] = "payments" });
        var ec = await client.CreateKeyAsync(vault, ecName, "EC", curve: "P-384");
        var oct = await client.CreateKeyAsync(vault, octName, "oct", keySize: 256, keyOps: ["wrapKey", "unwrapKey"]);

        Assert.Equal("RSA", rsa.Key.Kty);
        Assert.Equal(256, rsa.Key.N.Length);
        Assert.Equal([1, 0, 1], rsa.Key.E);
        Assert.False(rsa.Key.HasPrivateKey());
        Assert.Null(rsa.Key.D);
        Assert.Equal("payments", rsa.Tags["team"]);
        Assert.Equal(rsaName, rsa.KeyIdentifier.Name);
        Assert.Matches("^[0-9a-f]{32}$", rsa.KeyIdentifier.Version);
        Assert.Equal($"{vault}/keys/{rsaName}/{rsa.KeyIdentifier.Version}", rsa.Key.Kid);
        Assert.True(rsa.Attributes.Enabled);
        Assert.NotNull(rsa.Attributes.Created);
        Assert.Equal(["decrypt", "encrypt", "sign", "unwrapKey", "verify", "wrapKey"], rsa.Key.KeyOps.Order(StringComparer.Ordinal));

        Assert.Equal("EC", ec.Key.Kty);
        Assert.Equal("P-384", ec.Key.CurveName);
        Assert.Equal(48, ec.Key.X.Length);
        Assert.Equal(48, ec.Key.Y.Length);
        Assert.Null(ec.Key.D);
        Assert.Equal(["sign", "verify"], ec.Key.KeyOps.Order(StringComparer.Ordinal));

        Assert.Equal("oct", oct.Key.Kty);
        Assert.Null(oct.Key.K);
        Assert.Equal(["wrapKey", "unwrapKey"], oct.Key.KeyOps);

        var latest = await client.GetKeyAsync(vault, rsaName);
        var byVersion = await client.GetKeyAsync(vault, rsaName, rsa.KeyIdentifier.Version);
        var byId = await client.GetKeyAsync(rsa.Key.Kid);
        Assert.All(new[] { latest, byVersion, byId }, b =>
        {
            Assert.Equal(rsa.Key.Kid, b.Key.Kid);
            Assert.Equal(rsa.Key.N, b.Key.N);
        });

        var challenge = Assert.Single(legacy.Challenges.Distinct());
        Assert.Equal($"https://localhost:{Server.Port}/{Server.Credentials.TenantId}", challenge.Authority.TrimEnd('/'));
        Assert.Equal("https://localhost", challenge.Resource);
        Assert.NotEmpty(legacy.Requests);
        Assert.All(legacy.Requests, r => Assert.Contains("api-version=7.0", r.Uri.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Updates_key_ops_attributes_and_tags()
    {
        using var legacy = new LegacyKeyVaultClient(Server);
        var name = UniqueName("legacy-update");
        var created = await legacy.Client.CreateKeyAsync(legacy.VaultBaseUrl, name, "EC", curve: "P-256");
        var expires = DateTime.UtcNow.AddDays(30);

        var updated = await legacy.Client.UpdateKeyAsync(
            legacy.VaultBaseUrl, name, created.KeyIdentifier.Version,
            keyOps: ["verify"],
            keyAttributes: new KeyAttributes { Expires = expires },
            tags: new Dictionary<string, string> { ["owner"] = "legacy" });

        Assert.Equal(["verify"], updated.Key.KeyOps);
        Assert.Equal("legacy", updated.Tags["owner"]);
        Assert.Equal(new DateTimeOffset(expires).ToUnixTimeSeconds(), new DateTimeOffset(updated.Attributes.Expires!.Value).ToUnixTimeSeconds());
        var error = await Assert.ThrowsAsync<KeyVaultErrorException>(() =>
            legacy.Client.SignAsync(updated.Key.Kid, "ES256", SHA256.HashData("refused"u8)));
        AssertError(error, HttpStatusCode.Forbidden, "Forbidden", "KeyOperationForbidden");
    }

    [Fact]
    public async Task Imports_RSA_EC_and_oct_keys_with_private_parts_and_returns_only_public_parts()
    {
        using var legacy = new LegacyKeyVaultClient(Server);
        var client = legacy.Client;
        var vault = legacy.VaultBaseUrl;

        using var localRsa = RSA.Create(2048);
        var rsaName = UniqueName("legacy-import-rsa");
        var rsaJwk = new JsonWebKey(localRsa, includePrivateParameters: true);
        Assert.True(rsaJwk.HasPrivateKey());
        var rsa = await client.ImportKeyAsync(vault, rsaName, rsaJwk);
        Assert.Equal(localRsa.ExportParameters(false).Modulus, rsa.Key.N);
        Assert.False(rsa.Key.HasPrivateKey());
        var digest = SHA256.HashData("imported rsa"u8);
        var signature = await client.SignAsync(rsa.Key.Kid, "RS256", digest);
        Assert.True(localRsa.VerifyHash(digest, signature.Result, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        var ciphertext = await client.EncryptAsync(rsa.Key.Kid, "RSA-OAEP-256", "for the owner"u8.ToArray());
        Assert.Equal("for the owner"u8.ToArray(), localRsa.Decrypt(ciphertext.Result, RSAEncryptionPadding.OaepSHA256));

        using var localEc = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ecName = UniqueName("legacy-import-ec");
        // JsonWebKey(ECDsa, …) needs Windows CNG; the JWK members are set directly instead.
        var ecParameters = localEc.ExportParameters(includePrivateParameters: true);
        var ecJwk = new JsonWebKey { Kty = "EC", CurveName = "P-256", X = ecParameters.Q.X, Y = ecParameters.Q.Y, D = ecParameters.D };
        var ec = await client.ImportKeyAsync(vault, ecName, ecJwk);
        Assert.Equal(localEc.ExportParameters(false).Q.X, ec.Key.X);
        Assert.Null(ec.Key.D);
        var ecSignature = await client.SignAsync(ec.Key.Kid, "ES256", digest);
        Assert.True(localEc.VerifyHash(digest, ecSignature.Result, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

        // RFC 3394 §4.6 through the legacy client: 256-bit KEK, 256-bit key data.
        var octName = UniqueName("legacy-import-oct");
        var kek = Convert.FromHexString("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
        var oct = await client.ImportKeyAsync(vault, octName, new JsonWebKey { Kty = "oct", K = kek }, hsm: false);
        Assert.Null(oct.Key.K);
        var wrapped = await client.WrapKeyAsync(oct.Key.Kid, "A256KW", Convert.FromHexString("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F"));
        Assert.Equal("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21", Convert.ToHexString(wrapped.Result));
    }

    [Fact]
    public async Task Lists_keys_and_versions_page_by_page_following_nextLink()
    {
        using var legacy = new LegacyKeyVaultClient(Server);
        var client = legacy.Client;
        var vault = legacy.VaultBaseUrl;
        var name = UniqueName("legacy-versions");
        var versions = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            versions.Add((await client.CreateKeyAsync(vault, name, "oct", keySize: 128)).KeyIdentifier.Version);
        }
        var prefix = $"legacy-list-{Guid.NewGuid():N}"[..24];
        var names = Enumerable.Range(0, 3).Select(i => $"{prefix}-{i}").ToList();
        foreach (var listed in names)
        {
            await client.CreateKeyAsync(vault, listed, "EC");
        }

        var firstPage = await client.GetKeyVersionsAsync(vault, name, maxresults: 2);
        Assert.Equal(2, firstPage.Count());
        Assert.NotNull(firstPage.NextPageLink);
        Assert.Contains("api-version=7.0", firstPage.NextPageLink, StringComparison.Ordinal);
        var secondPage = await client.GetKeyVersionsNextAsync(firstPage.NextPageLink);
        Assert.Null(secondPage.NextPageLink);
        var seen = firstPage.Concat(secondPage).ToList();
        Assert.Equal(versions.Order(StringComparer.Ordinal), seen.Select(v => v.Identifier.Version).Order(StringComparer.Ordinal));
        Assert.All(seen, v => Assert.Equal(name, v.Identifier.Name));

        var keys = new List<KeyItem>();
        IPage<KeyItem> page = await client.GetKeysAsync(vault, maxresults: 10);
        for (var pages = 1; ; pages++)
        {
            Assert.True(page.Count() <= 10);
            keys.AddRange(page);
            if (page.NextPageLink is null)
            {
                break;
            }
            Assert.True(pages < 200, "Paging did not end.");
            page = await client.GetKeysNextAsync(page.NextPageLink);
        }
        foreach (var listed in names.Append(name))
        {
            var item = Assert.Single(keys, k => k.Identifier.Name == listed);
            Assert.Equal($"{vault}/keys/{listed}", item.Kid);
        }
        Assert.Equal(keys.Count, keys.Select(k => k.Kid).Distinct().Count());
    }

    [Theory]
    [InlineData("RSA", null, "RS256")]
    [InlineData("RSA", null, "PS512")]
    [InlineData("EC", "P-256", "ES256")]
    [InlineData("EC", "P-521", "ES512")]
    [InlineData("EC", "P-256K", "ES256K")]
    public async Task Signs_and_verifies(string kty, string? curve, string alg)
    {
        using var legacy = new LegacyKeyVaultClient(Server);
        var key = await legacy.Client.CreateKeyAsync(legacy.VaultBaseUrl, UniqueName("legacy-sign"), kty, curve: curve);
        var digest = TestJwk.Digest(alg, RandomNumberGenerator.GetBytes(50));

        var signature = await legacy.Client.SignAsync(key.Key.Kid, alg, digest);

        Assert.Equal(key.Key.Kid, signature.Kid);
        Assert.True(await legacy.Client.VerifyAsync(key.Key.Kid, alg, digest, signature.Result));
        var other = (byte[])digest.Clone();
        other[0] ^= 0x80;
        Assert.False(await legacy.Client.VerifyAsync(key.Key.Kid, alg, other, signature.Result));
    }

    [Fact]
    public async Task Encrypts_decrypts_wraps_and_unwraps_with_RSA_and_oct_keys()
    {
        using var legacy = new LegacyKeyVaultClient(Server);
        var client = legacy.Client;
        var vault = legacy.VaultBaseUrl;
        var rsaName = UniqueName("legacy-crypt");
        var rsa = await client.CreateKeyAsync(vault, rsaName, "RSA");
        var plaintext = RandomNumberGenerator.GetBytes(32);

        foreach (var alg in new[] { "RSA1_5", "RSA-OAEP", "RSA-OAEP-256" })
        {
            var encrypted = await client.EncryptAsync(rsa.Key.Kid, alg, plaintext);
            Assert.Equal(rsa.Key.Kid, encrypted.Kid);
            Assert.Equal(256, encrypted.Result.Length);
            Assert.Equal(plaintext, (await client.DecryptAsync(rsa.Key.Kid, alg, encrypted.Result)).Result);
            var wrapped = await client.WrapKeyAsync(rsa.Key.Kid, alg, plaintext);
            Assert.Equal(plaintext, (await client.UnwrapKeyAsync(rsa.Key.Kid, alg, wrapped.Result)).Result);
        }

        // An empty version is the //{op} form: the latest version does the work.
        var newer = await client.CreateKeyAsync(vault, rsaName, "RSA");
        var versionless = await client.EncryptAsync(vault, rsaName, "", "RSA-OAEP", plaintext);
        Assert.Equal(newer.Key.Kid, versionless.Kid);
        Assert.Contains(legacy.Requests, r => r.Uri.AbsolutePath == $"/keys/{rsaName}//encrypt");
        Assert.Equal(plaintext, (await client.DecryptAsync(newer.Key.Kid, "RSA-OAEP", versionless.Result)).Result);

        var oct = await client.CreateKeyAsync(vault, UniqueName("legacy-kw"), "oct", keySize: 128);
        var octWrapped = await client.WrapKeyAsync(oct.Key.Kid, "A128KW", plaintext);
        Assert.Equal(40, octWrapped.Result.Length);
        Assert.Equal(plaintext, (await client.UnwrapKeyAsync(oct.Key.Kid, "A128KW", octWrapped.Result)).Result);
    }

    [Fact]
    public async Task Backs_up_a_key_with_its_versions_and_restores_it_after_a_purge()
    {
        using var legacy = new LegacyKeyVaultClient(Server);
        var client = legacy.Client;
        var vault = legacy.VaultBaseUrl;
        var name = UniqueName("legacy-backup");
        var first = await client.CreateKeyAsync(vault, name, "EC", curve: "P-256");
        var second = await client.CreateKeyAsync(vault, name, "EC", curve: "P-256");
        var digest = SHA256.HashData("before the backup"u8);
        var signature = await client.SignAsync(first.Key.Kid, "ES256", digest);

        var backup = await client.BackupKeyAsync(vault, name);
        Assert.NotEmpty(backup.Value);
        await client.DeleteKeyAsync(vault, name);
        await client.PurgeDeletedKeyAsync(vault, name);
        var gone = await Assert.ThrowsAsync<KeyVaultErrorException>(() => client.GetKeyAsync(vault, name));
        AssertError(gone, HttpStatusCode.NotFound, "KeyNotFound");

        var restored = await client.RestoreKeyAsync(vault, backup.Value);

        Assert.Equal(second.Key.Kid, restored.Key.Kid);
        Assert.Equal(second.Key.X, restored.Key.X);
        Assert.True(await client.VerifyAsync(first.Key.Kid, "ES256", digest, signature.Result));
        var versions = await client.GetKeyVersionsAsync(vault, name);
        Assert.Equal(
            new[] { first.KeyIdentifier.Version, second.KeyIdentifier.Version }.Order(StringComparer.Ordinal),
            versions.Select(v => v.Identifier.Version).Order(StringComparer.Ordinal));
        var conflict = await Assert.ThrowsAsync<KeyVaultErrorException>(() => client.RestoreKeyAsync(vault, backup.Value));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
    }

    [Fact]
    public async Task Deletes_recovers_and_purges_a_key()
    {
        using var legacy = new LegacyKeyVaultClient(Server);
        var client = legacy.Client;
        var vault = legacy.VaultBaseUrl;
        var name = UniqueName("legacy-delete");
        var created = await client.CreateKeyAsync(vault, name, "RSA");

        var deleted = await client.DeleteKeyAsync(vault, name);

        Assert.Equal($"{vault}/deletedkeys/{name}", deleted.RecoveryId);
        Assert.Equal(created.Key.Kid, deleted.Key.Kid);
        Assert.NotNull(deleted.DeletedDate);
        Assert.Equal(90, Math.Round((deleted.ScheduledPurgeDate!.Value - deleted.DeletedDate!.Value).TotalDays));
        AssertError(await Assert.ThrowsAsync<KeyVaultErrorException>(() => client.GetKeyAsync(vault, name)), HttpStatusCode.NotFound, "KeyNotFound");
        var gotDeleted = await client.GetDeletedKeyAsync(vault, name);
        Assert.Equal(deleted.RecoveryId, gotDeleted.RecoveryId);
        Assert.Equal(created.Key.N, gotDeleted.Key.N);
        Assert.False(gotDeleted.Key.HasPrivateKey());
        Assert.Contains(await AllDeletedAsync(legacy), d => d.Identifier.Name == name && d.RecoveryId == deleted.RecoveryId);
        AssertError(
            await Assert.ThrowsAsync<KeyVaultErrorException>(() => client.CreateKeyAsync(vault, name, "RSA")),
            HttpStatusCode.Conflict, "Conflict", "ObjectIsDeletedButRecoverable");

        var recovered = await client.RecoverDeletedKeyAsync(vault, name);

        Assert.Equal(created.Key.Kid, recovered.Key.Kid);
        Assert.Equal(created.Key.Kid, (await client.GetKeyAsync(vault, name)).Key.Kid);
        AssertError(await Assert.ThrowsAsync<KeyVaultErrorException>(() => client.GetDeletedKeyAsync(vault, name)), HttpStatusCode.NotFound, "KeyNotFound");

        await client.DeleteKeyAsync(vault, name);
        await client.PurgeDeletedKeyAsync(vault, name);

        AssertError(await Assert.ThrowsAsync<KeyVaultErrorException>(() => client.GetDeletedKeyAsync(vault, name)), HttpStatusCode.NotFound, "KeyNotFound");
        Assert.DoesNotContain(await AllDeletedAsync(legacy), d => d.Identifier.Name == name);
        var reborn = await client.CreateKeyAsync(vault, name, "RSA");
        Assert.NotEqual(created.KeyIdentifier.Version, reborn.KeyIdentifier.Version);
        Assert.Single(await client.GetKeyVersionsAsync(vault, name));
    }

    [Fact]
    public async Task Errors_arrive_as_KeyVaultErrorException_with_Azure_status_code_and_inner_code()
    {
        using var legacy = new LegacyKeyVaultClient(Server);
        var client = legacy.Client;
        var vault = legacy.VaultBaseUrl;
        var name = UniqueName("legacy-errors");
        var ec = await client.CreateKeyAsync(vault, name, "EC", curve: "P-256");

        AssertError(await Assert.ThrowsAsync<KeyVaultErrorException>(() => client.GetKeyAsync(vault, UniqueName("legacy-missing"))), HttpStatusCode.NotFound, "KeyNotFound");
        AssertError(await Assert.ThrowsAsync<KeyVaultErrorException>(() => client.SignAsync(ec.Key.Kid, "RS256", SHA256.HashData("x"u8))), HttpStatusCode.BadRequest, "BadParameter");
        AssertError(await Assert.ThrowsAsync<KeyVaultErrorException>(() => client.CreateKeyAsync(vault, UniqueName("legacy-hsm"), "RSA-HSM")), HttpStatusCode.BadRequest, "BadParameter");

        await client.UpdateKeyAsync(vault, name, ec.KeyIdentifier.Version, keyAttributes: new KeyAttributes { Enabled = false });
        AssertError(
            await Assert.ThrowsAsync<KeyVaultErrorException>(() => client.SignAsync(ec.Key.Kid, "ES256", SHA256.HashData("x"u8))),
            HttpStatusCode.Forbidden, "Forbidden", "KeyDisabled");
    }

    private static async Task<List<DeletedKeyItem>> AllDeletedAsync(LegacyKeyVaultClient legacy)
    {
        var items = new List<DeletedKeyItem>();
        IPage<DeletedKeyItem> page = await legacy.Client.GetDeletedKeysAsync(legacy.VaultBaseUrl, maxresults: 25);
        for (var pages = 1; ; pages++)
        {
            items.AddRange(page);
            if (page.NextPageLink is null)
            {
                return items;
            }
            Assert.True(pages < 200, "Paging did not end.");
            page = await legacy.Client.GetDeletedKeysNextAsync(page.NextPageLink);
        }
    }

    private static void AssertError(KeyVaultErrorException error, HttpStatusCode status, string code, string? innerCode = null)
    {
        Assert.Equal(status, error.Response.StatusCode);
        Assert.Equal(code, error.Body.Error.Code);
        Assert.False(string.IsNullOrEmpty(error.Body.Error.Message));
        if (innerCode is not null)
        {
            Assert.Equal(innerCode, error.Body.Error.InnerError?.Code);
        }
    }
}
