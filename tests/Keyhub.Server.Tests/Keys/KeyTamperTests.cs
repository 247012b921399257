using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using static Keyhub.Server.Tests.Keys.RawKeysClient;

namespace Keyhub.Server.Tests.Keys;

/// <summary>
/// Every failure to decrypt, unwrap or authenticate is one opaque 400 with one fixed message, whatever was
/// wrong (ciphertext, tag, IV, associated data, padding, key) and whatever the algorithm, so that the
/// error cannot serve as an oracle; and a failed attempt changes nothing stored.
/// </summary>
[Collection(KeysServerCollection.Name)]
public sealed class KeyTamperTests(KeysServer fixture)
{
    private RawKeysClient Admin => fixture.Admin;

    [Fact]
    public async Task Tampered_ciphertext_tag_IV_or_associated_data_all_give_the_same_400()
    {
        var oct = UniqueName("tamper-oct");
        await Admin.CreateOkAsync(oct, "oct", 256);
        var otherOct = UniqueName("tamper-other");
        await Admin.CreateOkAsync(otherOct, "oct", 256);
        var rsaBundle = await fixture.Rsa2048Async();
        var rsa = Name(rsaBundle);
        var before = await Admin.SnapshotAsync(oct) + await Admin.SnapshotAsync(rsa);
        var secret = RandomNumberGenerator.GetBytes(32);
        var aad = RandomNumberGenerator.GetBytes(16);
        var attempts = new List<(string Label, string Name, string Operation, JsonObject Body)>();

        // AES-GCM: one bit of the ciphertext, of the tag, of the IV or of the associated data.
        var (gcm, gcmAnswer) = await Admin.OperateOkAsync(oct, null, "encrypt", Body("A256GCM", secret, aad: aad));
        var (iv, tag) = (Bytes(gcmAnswer, "iv"), Bytes(gcmAnswer, "tag"));
        Assert.Equal(secret, (await Admin.OperateOkAsync(oct, null, "decrypt", Body("A256GCM", gcm, iv, aad, tag))).Value);
        attempts.Add(("GCM ciphertext bit", oct, "decrypt", Body("A256GCM", Flip(gcm, 5, 0x01), iv, aad, tag)));
        attempts.Add(("GCM last ciphertext byte", oct, "decrypt", Body("A256GCM", Flip(gcm, gcm.Length - 1, 0x80), iv, aad, tag)));
        attempts.Add(("GCM tag bit", oct, "decrypt", Body("A256GCM", gcm, iv, aad, Flip(tag, 0, 0x01))));
        attempts.Add(("GCM last tag bit", oct, "decrypt", Body("A256GCM", gcm, iv, aad, Flip(tag, 15, 0x80))));
        attempts.Add(("GCM IV bit", oct, "decrypt", Body("A256GCM", gcm, Flip(iv, 11, 0x01), aad, tag)));
        attempts.Add(("GCM associated data bit", oct, "decrypt", Body("A256GCM", gcm, iv, Flip(aad, 0, 0x01), tag)));
        attempts.Add(("GCM associated data missing", oct, "decrypt", Body("A256GCM", gcm, iv, null, tag)));
        attempts.Add(("GCM ciphertext extended", oct, "decrypt", Body("A256GCM", [.. gcm, 0], iv, aad, tag)));
        attempts.Add(("GCM ciphertext truncated", oct, "decrypt", Body("A256GCM", gcm[..^1], iv, aad, tag)));
        attempts.Add(("GCM under another key", otherOct, "decrypt", Body("A256GCM", gcm, iv, aad, tag)));

        // AES-CBC with PKCS#7 padding: 31 bytes end in one padding byte 0x01; XOR-ing byte 15 of the first
        // ciphertext block with 0x21 turns it into 0x20 after decryption, which is never valid padding.
        var cbcIv = RandomNumberGenerator.GetBytes(16);
        var (cbc, _) = await Admin.OperateOkAsync(oct, null, "encrypt", Body("A256CBCPAD", secret[..31], cbcIv));
        Assert.Equal(32, cbc.Length);
        attempts.Add(("CBCPAD padding", oct, "decrypt", Body("A256CBCPAD", Flip(cbc, 15, 0x21), cbcIv)));
        attempts.Add(("CBCPAD not whole blocks", oct, "decrypt", Body("A256CBCPAD", cbc[..^1], cbcIv)));
        attempts.Add(("CBCPAD empty", oct, "decrypt", Body("A256CBCPAD", [], cbcIv)));

        // RFC 3394 key wrap: any changed bit fails the integrity check value.
        var (wrapped, _) = await Admin.OperateOkAsync(oct, null, "wrapKey", Body("A256KW", secret));
        attempts.Add(("KW integrity block", oct, "unwrapKey", Body("A256KW", Flip(wrapped, 0, 0x01))));
        attempts.Add(("KW last byte", oct, "unwrapKey", Body("A256KW", Flip(wrapped, wrapped.Length - 1, 0x40))));
        attempts.Add(("KW truncated", oct, "unwrapKey", Body("A256KW", wrapped[..^8])));
        attempts.Add(("KW under another key", otherOct, "unwrapKey", Body("A256KW", wrapped)));

        // RSA-OAEP and RSA-OAEP-256.
        using var publicRsa = TestJwk.PublicRsa(rsaBundle);
        var oaep = publicRsa.Encrypt(secret, RSAEncryptionPadding.OaepSHA1);
        var oaep256 = publicRsa.Encrypt(secret, RSAEncryptionPadding.OaepSHA256);
        Assert.Equal(secret, (await Admin.OperateOkAsync(rsa, null, "decrypt", Body("RSA-OAEP", oaep))).Value);
        attempts.Add(("RSA-OAEP ciphertext bit", rsa, "decrypt", Body("RSA-OAEP", Flip(oaep, 100, 0x04))));
        attempts.Add(("RSA-OAEP unwrap bit", rsa, "unwrapKey", Body("RSA-OAEP", Flip(oaep, 255, 0x01))));
        attempts.Add(("RSA-OAEP-256 ciphertext bit", rsa, "decrypt", Body("RSA-OAEP-256", Flip(oaep256, 17, 0x10))));
        attempts.Add(("RSA-OAEP-256 read as RSA-OAEP", rsa, "decrypt", Body("RSA-OAEP", oaep256)));

        var messages = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (label, name, operation, body) in attempts)
        {
            var response = await Admin.OperateAsync(name, null, operation, body);
            Assert.True(response.Status == HttpStatusCode.BadRequest, $"{label}: {(int)response.Status} {response.Body}");
            messages[label] = response.Error(HttpStatusCode.BadRequest, "BadParameter");
            Assert.False(response.Json.GetProperty("error").TryGetProperty("innererror", out _), $"{label}: {response.Body}");
        }

        var distinct = messages.GroupBy(m => m.Value, StringComparer.Ordinal).ToList();
        Assert.True(distinct.Count == 1, "Decryption failures are distinguishable: " + string.Join(" | ", distinct.Select(g => $"'{g.Key}' for {string.Join(", ", g.Select(m => m.Key))}")));
        Assert.DoesNotContain(Convert.ToBase64String(secret), distinct[0].Key, StringComparison.Ordinal);
        Assert.Equal(before, await Admin.SnapshotAsync(oct) + await Admin.SnapshotAsync(rsa));
    }

    [Fact]
    public async Task A_wrapped_key_of_impossible_length_is_the_same_opaque_400_not_a_server_error()
    {
        var name = UniqueName("tamper-kw-length");
        await Admin.CreateOkAsync(name, "oct", 128);
        var (wrapped, _) = await Admin.OperateOkAsync(name, null, "wrapKey", Body("A128KW", RandomNumberGenerator.GetBytes(16)));
        var integrityFailure = (await Admin.OperateAsync(name, null, "unwrapKey", Body("A128KW", Flip(wrapped, 3, 0x08)))).Error(HttpStatusCode.BadRequest, "BadParameter");

        // RFC 3394 output is n + 1 blocks of 8 bytes with n >= 2: 24, 32, 40, … bytes. Anything else cannot
        // have come from wrapKey and must fail like any other unwrap failure.
        foreach (var length in new[] { 0, 8, 16, 23, 25, 31 })
        {
            var value = length <= wrapped.Length ? wrapped[..length] : [.. wrapped, .. new byte[length - wrapped.Length]];
            var response = await Admin.OperateAsync(name, null, "unwrapKey", Body("A128KW", value));
            Assert.True(response.Status == HttpStatusCode.BadRequest, $"{length} bytes: {(int)response.Status} {response.Body}");
            Assert.Equal(integrityFailure, response.Error(HttpStatusCode.BadRequest, "BadParameter"));
        }
        Assert.Single(await Admin.VersionsAsync(name));
    }

    private static byte[] Flip(byte[] value, int index, byte mask)
    {
        var copy = (byte[])value.Clone();
        copy[index] ^= mask;
        return copy;
    }
}
