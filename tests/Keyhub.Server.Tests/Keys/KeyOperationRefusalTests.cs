using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using static Keyhub.Server.Tests.Keys.RawKeysClient;

namespace Keyhub.Server.Tests.Keys;

/// <summary>
/// An operation is refused with 403 <c>Forbidden</c> and a precise inner code when the key's <c>key_ops</c>,
/// <c>enabled</c>, <c>nbf</c> or <c>exp</c> forbid it; a refusal changes nothing stored. After expiry a key
/// still decrypts, unwraps and verifies what it protected before (Keyhub's design).
/// </summary>
[Collection(KeysServerCollection.Name)]
public sealed class KeyOperationRefusalTests(KeysServer fixture)
{
    private RawKeysClient Admin => fixture.Admin;

    [Fact]
    public async Task An_operation_missing_from_key_ops_is_403_KeyOperationForbidden_until_key_ops_allow_it()
    {
        var oct = UniqueName("ops-oct");
        var octBundle = await Admin.CreateOkAsync(oct, "oct", 256, extra: new JsonObject { ["key_ops"] = new JsonArray("encrypt", "decrypt") });
        var ec = UniqueName("ops-ec");
        var ecBundle = await Admin.CreateOkAsync(ec, "EC", crv: "P-256", extra: new JsonObject { ["key_ops"] = new JsonArray("verify") });
        Assert.Equal(["encrypt", "decrypt"], octBundle.GetProperty("key").GetProperty("key_ops").EnumerateArray().Select(o => o.GetString()));
        var secret = RandomNumberGenerator.GetBytes(32);
        var digest = SHA256.HashData(secret);
        var before = (await Admin.SnapshotAsync(oct), await Admin.SnapshotAsync(ec));

        (await Admin.OperateAsync(oct, null, "wrapKey", Body("A256KW", secret))).Error(HttpStatusCode.Forbidden, "Forbidden", "KeyOperationForbidden");
        (await Admin.OperateAsync(oct, Version(octBundle), "unwrapKey", Body("A256KW", new byte[40]))).Error(HttpStatusCode.Forbidden, "Forbidden", "KeyOperationForbidden");
        var message = (await Admin.OperateAsync(ec, null, "sign", Body("ES256", digest))).Error(HttpStatusCode.Forbidden, "Forbidden", "KeyOperationForbidden");
        Assert.Contains("sign", message, StringComparison.Ordinal);

        Assert.Equal(before, (await Admin.SnapshotAsync(oct), await Admin.SnapshotAsync(ec)));
        // What key_ops do allow still works.
        Assert.Equal(32, (await Admin.OperateOkAsync(oct, null, "encrypt", Body("A256GCM", secret))).Value.Length);

        var widened = (await Admin.UpdateAsync(oct, Version(octBundle), new JsonObject { ["key_ops"] = new JsonArray("encrypt", "decrypt", "wrapKey", "unwrapKey") })).Ok();
        Assert.Contains("wrapKey", widened.GetProperty("key").GetProperty("key_ops").EnumerateArray().Select(o => o.GetString()));
        var (wrapped, _) = await Admin.OperateOkAsync(oct, null, "wrapKey", Body("A256KW", secret));
        Assert.Equal(secret, (await Admin.OperateOkAsync(oct, null, "unwrapKey", Body("A256KW", wrapped))).Value);
    }

    [Fact]
    public async Task Key_ops_that_do_not_fit_the_key_type_are_refused_at_create_and_update()
    {
        var name = UniqueName("ops-invalid");
        (await Admin.CreateAsync(name, new JsonObject { ["kty"] = "EC", ["key_ops"] = new JsonArray("encrypt") })).Error(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.GetAsync(name)).Error(HttpStatusCode.NotFound, "KeyNotFound");

        var bundle = await Admin.CreateOkAsync(name, "oct", 128);
        var before = await Admin.SnapshotAsync(name);
        (await Admin.UpdateAsync(name, Version(bundle), new JsonObject { ["key_ops"] = new JsonArray("sign") })).Error(HttpStatusCode.BadRequest, "BadParameter");
        Assert.Equal(before, await Admin.SnapshotAsync(name));
    }

    [Fact]
    public async Task A_disabled_key_refuses_every_operation_403_KeyDisabled_until_enabled_again()
    {
        var oct = UniqueName("disabled-oct");
        var octBundle = await Admin.CreateOkAsync(oct, "oct", 256);
        var ec = UniqueName("disabled-ec");
        var ecBundle = await Admin.CreateOkAsync(ec, "EC", crv: "P-256");
        var secret = RandomNumberGenerator.GetBytes(32);
        var digest = SHA256.HashData(secret);
        var (ciphertext, encrypted) = await Admin.OperateOkAsync(oct, null, "encrypt", Body("A256GCM", secret));
        var (wrapped, _) = await Admin.OperateOkAsync(oct, null, "wrapKey", Body("A256KW", secret));
        var (signature, _) = await Admin.OperateOkAsync(ec, null, "sign", Body("ES256", digest));
        (await Admin.UpdateAsync(oct, Version(octBundle), new JsonObject { ["attributes"] = new JsonObject { ["enabled"] = false } })).Ok();
        (await Admin.UpdateAsync(ec, Version(ecBundle), new JsonObject { ["attributes"] = new JsonObject { ["enabled"] = false } })).Ok();
        var before = (await Admin.SnapshotAsync(oct), await Admin.SnapshotAsync(ec));
        var decryptBody = Body("A256GCM", ciphertext, Bytes(encrypted, "iv"), tag: Bytes(encrypted, "tag"));

        foreach (var (name, operation, body) in new[]
        {
            (oct, "encrypt", Body("A256GCM", secret)),
            (oct, "decrypt", decryptBody),
            (oct, "wrapKey", Body("A256KW", secret)),
            (oct, "unwrapKey", Body("A256KW", wrapped)),
            (ec, "sign", Body("ES256", digest)),
            (ec, "verify", VerifyBody("ES256", digest, signature)),
        })
        {
            (await Admin.OperateAsync(name, null, operation, body)).Error(HttpStatusCode.Forbidden, "Forbidden", "KeyDisabled");
        }

        Assert.Equal(before, (await Admin.SnapshotAsync(oct), await Admin.SnapshotAsync(ec)));
        (await Admin.UpdateAsync(oct, Version(octBundle), new JsonObject { ["attributes"] = new JsonObject { ["enabled"] = true } })).Ok();
        Assert.Equal(secret, (await Admin.OperateOkAsync(oct, null, "decrypt", decryptBody)).Value);
    }

    [Fact]
    public async Task An_expired_key_refuses_encrypt_wrap_and_sign_but_still_decrypts_unwraps_and_verifies()
    {
        var oct = UniqueName("expired-oct");
        var octBundle = await Admin.CreateOkAsync(oct, "oct", 128);
        var ec = UniqueName("expired-ec");
        var ecBundle = await Admin.CreateOkAsync(ec, "EC", crv: "P-384");
        var secret = RandomNumberGenerator.GetBytes(24);
        var digest = SHA384.HashData(secret);
        var iv = RandomNumberGenerator.GetBytes(16);
        var (ciphertext, _) = await Admin.OperateOkAsync(oct, null, "encrypt", Body("A128CBCPAD", secret, iv));
        var (wrapped, _) = await Admin.OperateOkAsync(oct, null, "wrapKey", Body("A128KW", secret));
        var (signature, _) = await Admin.OperateOkAsync(ec, null, "sign", Body("ES384", digest));
        var past = new JsonObject { ["attributes"] = new JsonObject { ["exp"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds() } };
        (await Admin.UpdateAsync(oct, Version(octBundle), past)).Ok();
        (await Admin.UpdateAsync(ec, Version(ecBundle), past)).Ok();
        var before = (await Admin.SnapshotAsync(oct), await Admin.SnapshotAsync(ec));

        (await Admin.OperateAsync(oct, null, "encrypt", Body("A128CBCPAD", secret, iv))).Error(HttpStatusCode.Forbidden, "Forbidden", "KeyExpired");
        (await Admin.OperateAsync(oct, null, "wrapKey", Body("A128KW", secret))).Error(HttpStatusCode.Forbidden, "Forbidden", "KeyExpired");
        (await Admin.OperateAsync(ec, null, "sign", Body("ES384", digest))).Error(HttpStatusCode.Forbidden, "Forbidden", "KeyExpired");

        Assert.Equal(secret, (await Admin.OperateOkAsync(oct, null, "decrypt", Body("A128CBCPAD", ciphertext, iv))).Value);
        Assert.Equal(secret, (await Admin.OperateOkAsync(oct, Version(octBundle), "unwrapKey", Body("A128KW", wrapped))).Value);
        Assert.True((await Admin.OperateAsync(ec, null, "verify", VerifyBody("ES384", digest, signature))).Ok().GetProperty("value").GetBoolean());
        Assert.Equal(before, (await Admin.SnapshotAsync(oct), await Admin.SnapshotAsync(ec)));
    }

    [Fact]
    public async Task A_key_before_its_nbf_refuses_encrypt_wrap_and_sign_403_KeyNotYetValid_but_decrypts_unwraps_and_verifies()
    {
        var tomorrow = new JsonObject { ["attributes"] = new JsonObject { ["nbf"] = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds() } };
        var k = RandomNumberGenerator.GetBytes(32);
        var oct = UniqueName("nbf-oct");
        await Admin.ImportOkAsync(oct, TestJwk.Oct(k), tomorrow);
        using var local = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ec = UniqueName("nbf-ec");
        await Admin.ImportOkAsync(ec, TestJwk.Ec(local.ExportParameters(includePrivateParameters: true), "P-256"), tomorrow);
        var secret = RandomNumberGenerator.GetBytes(32);
        var digest = SHA256.HashData(secret);
        var before = (await Admin.SnapshotAsync(oct), await Admin.SnapshotAsync(ec));

        foreach (var (name, operation, body) in new[]
        {
            (oct, "encrypt", Body("A256GCM", secret)),
            (oct, "wrapKey", Body("A256KW", secret)),
            (ec, "sign", Body("ES256", digest)),
        })
        {
            (await Admin.OperateAsync(name, null, operation, body)).Error(HttpStatusCode.Forbidden, "Forbidden", "KeyNotYetValid");
        }

        // What the same key material protected elsewhere (here: .NET, BouncyCastle) can still be recovered and checked.
        var iv = RandomNumberGenerator.GetBytes(12);
        var ciphertext = new byte[secret.Length];
        var tag = new byte[16];
        using (var gcm = new AesGcm(k, 16))
        {
            gcm.Encrypt(iv, secret, ciphertext, tag);
        }
        Assert.Equal(secret, (await Admin.OperateOkAsync(oct, null, "decrypt", Body("A256GCM", ciphertext, iv, tag: tag))).Value);
        var engine = new AesWrapEngine();
        engine.Init(true, new KeyParameter(k));
        Assert.Equal(secret, (await Admin.OperateOkAsync(oct, null, "unwrapKey", Body("A256KW", engine.Wrap(secret, 0, secret.Length)))).Value);
        var signature = local.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        Assert.True((await Admin.OperateAsync(ec, null, "verify", VerifyBody("ES256", digest, signature))).Ok().GetProperty("value").GetBoolean());

        Assert.Equal(before, (await Admin.SnapshotAsync(oct), await Admin.SnapshotAsync(ec)));
    }
}
