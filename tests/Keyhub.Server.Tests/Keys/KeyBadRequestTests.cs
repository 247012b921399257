using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using static Keyhub.Server.Tests.Keys.RawKeysClient;

namespace Keyhub.Server.Tests.Keys;

/// <summary>
/// Requests Keyhub refuses as malformed or unsupported: each Azure's error body with the right status,
/// and nothing stored changes. Also the one odd-looking request it must accept: <c>//{op}</c>.
/// </summary>
[Collection(KeysServerCollection.Name)]
public sealed class KeyBadRequestTests(KeysServer fixture)
{
    private RawKeysClient Admin => fixture.Admin;

    [Fact]
    public async Task An_algorithm_that_does_not_fit_the_key_is_400_BadParameter_and_changes_nothing()
    {
        var rsa = Name(await fixture.Rsa2048Async());
        var p256 = Name(await fixture.SharedKeyAsync("ec-P-256", "EC", crv: "P-256"));
        var p384 = Name(await fixture.SharedKeyAsync("ec-P-384", "EC", crv: "P-384"));
        var oct256 = UniqueName("alg-oct");
        await Admin.CreateOkAsync(oct256, "oct", 256);
        var before = await SnapshotsAsync(rsa, p256, p384, oct256);
        var d32 = SHA256.HashData("d"u8);
        var d48 = SHA384.HashData("d"u8);
        var secret = RandomNumberGenerator.GetBytes(32);

        foreach (var (name, operation, body) in new[]
        {
            (p256, "sign", Body("RS256", d32)),
            (p256, "verify", VerifyBody("PS256", d32, new byte[64])),
            (p384, "sign", Body("ES256", d32)),
            (p256, "sign", Body("ES384", d48)),
            (p256, "sign", Body("ES256K", d32)),
            (rsa, "sign", Body("ES256", d32)),
            (rsa, "sign", Body("HS256", d32)),
            (rsa, "encrypt", Body("A256GCM", secret)),
            (rsa, "wrapKey", Body("A256KW", secret)),
            (oct256, "encrypt", Body("A128GCM", secret)),
            (oct256, "encrypt", Body("A192CBCPAD", secret, new byte[16])),
            (oct256, "wrapKey", Body("A128KW", secret)),
            (oct256, "encrypt", Body("RSA-OAEP", secret)),
            (oct256, "wrapKey", Body("RSA-OAEP", secret)),
            (oct256, "decrypt", Body("RSA-OAEP-256", new byte[256])),
            (oct256, "encrypt", Body("A256KW", secret)),
            (oct256, "wrapKey", Body("A256GCM", secret)),
            (oct256, "encrypt", Body("not-an-algorithm", secret)),
        })
        {
            var response = await Admin.OperateAsync(name, null, operation, body);
            Assert.True(response.Status == HttpStatusCode.BadRequest, $"{operation} {body["alg"]} on {name}: {(int)response.Status} {response.Body}");
            response.Error(HttpStatusCode.BadRequest, "BadParameter");
        }

        Assert.Equal(before, await SnapshotsAsync(rsa, p256, p384, oct256));
    }

    [Fact]
    public async Task A_version_that_does_not_exist_is_404_KeyNotFound()
    {
        var name = UniqueName("missing-version");
        await Admin.CreateOkAsync(name, "oct", 128);
        const string Missing = "0123456789abcdef0123456789abcdef";
        var secret = RandomNumberGenerator.GetBytes(16);

        (await Admin.GetAsync(name, Missing)).Error(HttpStatusCode.NotFound, "KeyNotFound");
        (await Admin.OperateAsync(name, Missing, "encrypt", Body("A128GCM", secret))).Error(HttpStatusCode.NotFound, "KeyNotFound");
        (await Admin.OperateAsync(name, Missing, "wrapKey", Body("A128KW", secret))).Error(HttpStatusCode.NotFound, "KeyNotFound");
        (await Admin.UpdateAsync(name, Missing, new JsonObject { ["tags"] = new JsonObject { ["a"] = "b" } })).Error(HttpStatusCode.NotFound, "KeyNotFound");
        var missingKey = UniqueName("missing-key");
        var message = (await Admin.OperateAsync(missingKey, null, "encrypt", Body("A128GCM", secret))).Error(HttpStatusCode.NotFound, "KeyNotFound");
        Assert.Contains(missingKey, message, StringComparison.Ordinal);
        (await Admin.SendAsync(HttpMethod.Post, $"/keys/{missingKey}/rotate")).Error(HttpStatusCode.NotFound, "KeyNotFound");
        Assert.Single(await Admin.VersionsAsync(name));
    }

    [Fact]
    public async Task A_caller_IV_or_tag_for_GCM_encryption_is_400_and_CBC_needs_a_16_byte_IV()
    {
        var name = UniqueName("gcm-iv");
        await Admin.CreateOkAsync(name, "oct", 256);
        var secret = RandomNumberGenerator.GetBytes(32);

        var message = (await Admin.OperateAsync(name, null, "encrypt", Body("A256GCM", secret, RandomNumberGenerator.GetBytes(12)))).Error(HttpStatusCode.BadRequest, "BadParameter");
        Assert.Contains("IV", message, StringComparison.OrdinalIgnoreCase);
        (await Admin.OperateAsync(name, null, "encrypt", Body("A256GCM", secret, tag: new byte[16]))).Error(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.OperateAsync(name, null, "encrypt", Body("A256CBCPAD", secret))).Error(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.OperateAsync(name, null, "encrypt", Body("A256CBCPAD", secret, new byte[12]))).Error(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.OperateAsync(name, null, "encrypt", Body("A256CBC", new byte[17], new byte[16]))).Error(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.OperateAsync(name, null, "wrapKey", Body("A256KW", new byte[15]))).Error(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.OperateAsync(name, null, "wrapKey", Body("A256KW", new byte[20]))).Error(HttpStatusCode.BadRequest, "BadParameter");
        Assert.Single(await Admin.VersionsAsync(name));
    }

    [Fact]
    public async Task Input_over_64_KiB_is_refused_and_64_KiB_is_accepted()
    {
        var name = UniqueName("oversized");
        await Admin.CreateOkAsync(name, "oct", 256);
        var iv = RandomNumberGenerator.GetBytes(16);

        var (limit, _) = await Admin.OperateOkAsync(name, null, "encrypt", Body("A256CBCPAD", new byte[64 * 1024], iv));
        Assert.Equal(64 * 1024 + 16, limit.Length);
        foreach (var (operation, alg) in new[] { ("encrypt", "A256CBCPAD"), ("encrypt", "A256GCM"), ("wrapKey", "A256KW"), ("decrypt", "A256CBCPAD") })
        {
            var response = await Admin.OperateAsync(name, null, operation, Body(alg, new byte[64 * 1024 + 16], alg.EndsWith("PAD", StringComparison.Ordinal) ? iv : null));
            Assert.True(response.Status is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"{operation}: {(int)response.Status} {response.Body}");
            response.Error(response.Status, "BadParameter");
        }
        // A body past the request limit (256 KiB) is cut off before it is parsed.
        var huge = await Admin.OperateAsync(name, null, "encrypt", Body("A256GCM", new byte[300 * 1024]));
        Assert.True(huge.Status is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"{(int)huge.Status} {huge.Body}");
        huge.Error(huge.Status, "BadParameter");
        Assert.Single(await Admin.VersionsAsync(name));
    }

    [Theory]
    [InlineData("RSA-HSM")]
    [InlineData("EC-HSM")]
    [InlineData("oct-HSM")]
    public async Task HSM_key_types_are_400_with_a_reason_and_nothing_is_created(string kty)
    {
        var name = UniqueName("hsm");

        var message = (await Admin.CreateAsync(name, new JsonObject { ["kty"] = kty })).Error(HttpStatusCode.BadRequest, "BadParameter");
        Assert.Contains("HSM", message, StringComparison.Ordinal);
        var jwk = kty switch
        {
            "RSA-HSM" => RsaJwk(),
            "EC-HSM" => EcJwk(),
            _ => TestJwk.Oct(RandomNumberGenerator.GetBytes(32)),
        };
        var plain = jwk.DeepClone().AsObject();
        jwk["kty"] = kty;
        (await Admin.SendAsync(HttpMethod.Put, $"/keys/{name}", new JsonObject { ["key"] = jwk })).Error(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.SendAsync(HttpMethod.Put, $"/keys/{name}", new JsonObject { ["key"] = plain, ["Hsm"] = true })).Error(HttpStatusCode.BadRequest, "BadParameter");

        (await Admin.GetAsync(name)).Error(HttpStatusCode.NotFound, "KeyNotFound");

        static JsonObject RsaJwk()
        {
            using var rsa = RSA.Create(2048);
            return TestJwk.Rsa(rsa.ExportParameters(includePrivateParameters: true));
        }

        static JsonObject EcJwk()
        {
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return TestJwk.Ec(ecdsa.ExportParameters(includePrivateParameters: true), "P-256");
        }
    }

    [Fact]
    public async Task Key_release_attestation_release_policies_and_exportable_keys_are_400()
    {
        var bundle = await Admin.CreateOkAsync(UniqueName("release"), "EC", crv: "P-256");
        var name = Name(bundle);
        var version = Version(bundle);
        var before = await Admin.SnapshotAsync(name);
        var release = new JsonObject { ["target"] = "attestation-token" };

        Assert.Contains("release", (await Admin.SendAsync(HttpMethod.Post, $"/keys/{name}/{version}/release", release)).Error(HttpStatusCode.BadRequest, "BadParameter"), StringComparison.OrdinalIgnoreCase);
        (await Admin.SendAsync(HttpMethod.Post, $"/keys/{name}/release", release)).Error(HttpStatusCode.BadRequest, "BadParameter");
        Assert.Contains("ttestation", (await Admin.SendAsync(HttpMethod.Get, $"/keys/{name}/{version}/attestation")).Error(HttpStatusCode.BadRequest, "BadParameter"), StringComparison.Ordinal);
        (await Admin.SendAsync(HttpMethod.Get, $"/keys/{name}/attestation")).Error(HttpStatusCode.BadRequest, "BadParameter");
        var policy = new JsonObject { ["contentType"] = "application/json; charset=utf-8", ["data"] = "e30" };
        (await Admin.UpdateAsync(name, version, new JsonObject { ["release_policy"] = policy })).Error(HttpStatusCode.BadRequest, "BadParameter");
        var other = UniqueName("release-create");
        (await Admin.CreateAsync(other, new JsonObject { ["kty"] = "EC", ["release_policy"] = policy.DeepClone() })).Error(HttpStatusCode.BadRequest, "BadParameter");
        (await Admin.CreateAsync(other, new JsonObject { ["kty"] = "RSA", ["attributes"] = new JsonObject { ["exportable"] = true } })).Error(HttpStatusCode.BadRequest, "BadParameter");

        Assert.Equal(before, await Admin.SnapshotAsync(name));
        (await Admin.GetAsync(other)).Error(HttpStatusCode.NotFound, "KeyNotFound");
    }

    [Fact]
    public async Task Rng_gives_1_to_128_random_bytes_and_refuses_other_counts()
    {
        foreach (var count in new[] { 1, 33, 128 })
        {
            var value = Bytes((await Admin.SendAsync(HttpMethod.Post, "/rng", new JsonObject { ["count"] = count })).Ok(), "value");
            Assert.Equal(count, value.Length);
        }
        var first = Bytes((await Admin.SendAsync(HttpMethod.Post, "/rng", new JsonObject { ["count"] = 32 })).Ok(), "value");
        var second = Bytes((await Admin.SendAsync(HttpMethod.Post, "/rng", new JsonObject { ["count"] = 32 })).Ok(), "value");
        Assert.NotEqual(first, second);

        foreach (var body in new[]
        {
            new JsonObject { ["count"] = 0 },
            new JsonObject { ["count"] = 129 },
            new JsonObject { ["count"] = -1 },
            new JsonObject { ["count"] = "16" },
            new JsonObject { ["count"] = 1.5 },
            new JsonObject(),
        })
        {
            (await Admin.SendAsync(HttpMethod.Post, "/rng", body)).Error(HttpStatusCode.BadRequest, "BadParameter");
        }
    }

    [Fact]
    public async Task A_digest_whose_length_does_not_match_the_algorithm_is_400()
    {
        var rsa = Name(await fixture.Rsa2048Async());
        var p384 = Name(await fixture.SharedKeyAsync("ec-P-384", "EC", crv: "P-384"));
        var before = await SnapshotsAsync(rsa, p384);

        foreach (var (name, operation, body) in new[]
        {
            (rsa, "sign", Body("RS256", new byte[48])),
            (rsa, "sign", Body("PS512", new byte[32])),
            (rsa, "sign", Body("RS384", new byte[0])),
            (p384, "sign", Body("ES384", new byte[32])),
            (p384, "sign", Body("ES384", new byte[64])),
            (rsa, "verify", VerifyBody("RS256", new byte[31], new byte[256])),
            (p384, "verify", VerifyBody("ES384", new byte[49], new byte[96])),
        })
        {
            var message = (await Admin.OperateAsync(name, null, operation, body)).Error(HttpStatusCode.BadRequest, "BadParameter");
            Assert.Contains("byte", message, StringComparison.Ordinal);
        }

        Assert.Equal(before, await SnapshotsAsync(rsa, p384));
    }

    [Fact]
    public async Task The_double_slash_versionless_operation_uses_the_latest_version()
    {
        var name = UniqueName("versionless");
        var first = await Admin.CreateOkAsync(name, "oct", 256);
        var latest = await Admin.CreateOkAsync(name, "oct", 256);
        var secret = RandomNumberGenerator.GetBytes(32);

        var encrypted = await Admin.OperateAsync(name, "", "encrypt", Body("A256GCM", secret));
        var answer = encrypted.Ok();

        Assert.EndsWith($"/keys/{name}//encrypt", encrypted.RequestUri!.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal(latest.GetProperty("key").GetProperty("kid").GetString(), answer.GetProperty("kid").GetString());
        var decryptBody = Body("A256GCM", Bytes(answer, "value"), Bytes(answer, "iv"), tag: Bytes(answer, "tag"));
        Assert.Equal(secret, (await Admin.OperateOkAsync(name, "", "decrypt", decryptBody)).Value);
        Assert.Equal(secret, (await Admin.OperateOkAsync(name, Version(latest), "decrypt", decryptBody)).Value);
        var (wrapped, wrapAnswer) = await Admin.OperateOkAsync(name, "", "wrapKey", Body("A256KW", secret));
        Assert.Equal(Version(latest), wrapAnswer.GetProperty("kid").GetString()!.Split('/')[^1]);
        Assert.Equal(secret, (await Admin.OperateOkAsync(name, "", "unwrapKey", Body("A256KW", wrapped))).Value);
        Assert.EndsWith("//unwrapkey", (await Admin.OperateAsync(name, "", "unwrapKey", Body("A256KW", wrapped))).RequestUri!.AbsolutePath, StringComparison.Ordinal);
        // The first version is not what the versionless form used.
        Assert.Equal(HttpStatusCode.BadRequest, (await Admin.OperateAsync(name, Version(first), "decrypt", decryptBody)).Status);

        var ec = await fixture.SharedKeyAsync("ec-P-256", "EC", crv: "P-256");
        var digest = SHA256.HashData(secret);
        var (signature, signAnswer) = await Admin.OperateOkAsync(Name(ec), "", "sign", Body("ES256", digest));
        Assert.Equal(ec.GetProperty("key").GetProperty("kid").GetString(), signAnswer.GetProperty("kid").GetString());
        Assert.True((await Admin.OperateAsync(Name(ec), "", "verify", VerifyBody("ES256", digest, signature))).Ok().GetProperty("value").GetBoolean());
    }

    [Fact]
    public async Task The_double_slash_form_matches_operation_names_case_insensitively_like_the_other_routes()
    {
        var name = UniqueName("versionless-case");
        await Admin.CreateOkAsync(name, "oct", 128);
        var secret = RandomNumberGenerator.GetBytes(16);

        // Routing is case-insensitive: /keys/{name}/wrapKey is served like /keys/{name}/wrapkey ...
        var wrapped = Bytes((await Admin.SendAsync(HttpMethod.Post, $"/keys/{name}/wrapKey", Body("A128KW", secret))).Ok(), "value");
        Assert.Equal(24, wrapped.Length);

        // ... so the empty-version form of the same request must be too.
        var versionless = await Admin.SendAsync(HttpMethod.Post, $"/keys/{name}//unwrapKey", Body("A128KW", wrapped));
        Assert.Equal(secret, Bytes(versionless.Ok(), "value"));
        (await Admin.SendAsync(HttpMethod.Post, $"/keys/{name}//Encrypt", Body("A128GCM", secret))).Ok();
    }

    private async Task<string> SnapshotsAsync(params string[] names)
    {
        var parts = new List<string>();
        foreach (var name in names)
        {
            parts.Add(await Admin.SnapshotAsync(name));
        }
        return string.Join("\n", parts);
    }
}
