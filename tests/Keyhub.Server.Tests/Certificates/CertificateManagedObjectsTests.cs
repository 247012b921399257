using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Azure.Security.KeyVault.Certificates;
using Keyhub.Server.Tests.Keys;
using static Keyhub.Server.Tests.Certificates.CertificateKit;

namespace Keyhub.Server.Tests.Certificates;

/// <summary>
/// Every certificate version is also a managed key (<c>/keys/{name}</c>) and a managed secret
/// (<c>/secrets/{name}</c>) of the same version: the key signs and the certificate's public key verifies,
/// the secret is the PKCS#12 or PEM bundle. Neither can be changed through the keys or secrets API.
/// </summary>
[Collection(CertificatesServerCollection.Name)]
public sealed class CertificateManagedObjectsTests(CertificatesServer fixture)
{
    private CertificateClient Admin => fixture.Admin;
    private RawKeysClient Raw => fixture.Raw;

    [Fact]
    public async Task The_certificates_key_and_secret_share_its_version_and_the_key_signs_for_the_certificate()
    {
        var name = UniqueName("managed-rsa");
        var created = await Admin.CreateAsync(name, SelfPolicy("CN=signer.payments.internal"));
        var version = created.Properties.Version;
        Assert.Equal(version, VersionOf(created.KeyId));
        Assert.Equal(version, VersionOf(created.SecretId));

        var key = (await Raw.GetAsync(name)).Ok();
        Assert.True(key.GetProperty("managed").GetBoolean());
        Assert.Equal(created.KeyId.ToString(), key.GetProperty("key").GetProperty("kid").GetString());
        Assert.Equal("RSA", key.GetProperty("key").GetProperty("kty").GetString());
        var ops = key.GetProperty("key").GetProperty("key_ops").EnumerateArray().Select(o => o.GetString()).ToList();
        Assert.Contains("sign", ops);
        Assert.Contains("wrapKey", ops);
        using (var certificate = Load(created.Cer))
        using (var publicKey = certificate.GetRSAPublicKey()!)
        {
            Assert.Equal(publicKey.ExportParameters(false).Modulus, RawKeysClient.Bytes(key.GetProperty("key"), "n"));
        }
        Assert.Equal(created.Properties.ExpiresOn!.Value.ToUnixTimeSeconds(), key.GetProperty("attributes").GetProperty("exp").GetInt64());
        Assert.Equal(created.Properties.NotBefore!.Value.ToUnixTimeSeconds(), key.GetProperty("attributes").GetProperty("nbf").GetInt64());

        var digest = SHA256.HashData("a payment instruction"u8);
        var (signature, answer) = await Raw.OperateOkAsync(name, version, "sign", RawKeysClient.Body("RS256", digest));
        Assert.Equal(created.KeyId.ToString(), answer.GetProperty("kid").GetString());
        Assert.True(Verifies(created.Cer, digest, signature, HashAlgorithmName.SHA256));
        Assert.True(Verifies(created.Cer, digest, (await Raw.OperateOkAsync(name, null, "sign", RawKeysClient.Body("RS256", digest))).Value, HashAlgorithmName.SHA256));

        var secret = (await fixture.Server.SecretClient().GetSecretAsync(name)).Value;
        Assert.True(secret.Properties.Managed);
        Assert.Equal(version, secret.Properties.Version);
        Assert.Equal("application/x-pkcs12", secret.Properties.ContentType);
        Assert.Equal(created.KeyId, secret.Properties.KeyId);
        Assert.Equal(created.Properties.ExpiresOn, secret.Properties.ExpiresOn);
        using var fromSecret = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(secret.Value), null);
        Assert.True(fromSecret.HasPrivateKey);
        Assert.Equal(created.Cer, fromSecret.RawData);
    }

    [Fact]
    public async Task An_EC_certificates_key_signs_with_ES256_and_its_PEM_secret_holds_the_key_first()
    {
        var name = UniqueName("managed-ec");
        var policy = SelfPolicy("CN=ec-signer.payments.internal");
        policy.KeyType = CertificateKeyType.Ec;
        policy.KeyCurveName = CertificateKeyCurveName.P256;
        policy.ContentType = CertificateContentType.Pem;
        var created = await Admin.CreateAsync(name, policy);

        var key = (await Raw.GetAsync(name, created.Properties.Version)).Ok();
        Assert.Equal("EC", key.GetProperty("key").GetProperty("kty").GetString());
        Assert.Equal("P-256", key.GetProperty("key").GetProperty("crv").GetString());
        Assert.Equal(["sign", "verify"], key.GetProperty("key").GetProperty("key_ops").EnumerateArray().Select(o => o.GetString()).Order(StringComparer.Ordinal));
        var digest = SHA256.HashData("an EC signed instruction"u8);
        var signature = (await Raw.OperateOkAsync(name, created.Properties.Version, "sign", RawKeysClient.Body("ES256", digest))).Value;
        Assert.True(Verifies(created.Cer, digest, signature, HashAlgorithmName.SHA256));

        var secret = (await fixture.Server.SecretClient().GetSecretAsync(name, created.Properties.Version)).Value;
        Assert.Equal("application/x-pem-file", secret.Properties.ContentType);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", secret.Value, StringComparison.Ordinal);
        Assert.Contains("-----BEGIN CERTIFICATE-----", secret.Value, StringComparison.Ordinal);
        using var fromPem = X509Certificate2.CreateFromPem(secret.Value, secret.Value);
        Assert.Equal(created.Cer, fromPem.RawData);
    }

    [Fact]
    public async Task The_managed_key_and_secret_refuse_every_change_through_the_keys_and_secrets_API()
    {
        var name = UniqueName("managed-locked");
        var created = await Admin.CreateAsync(name, SelfPolicy("CN=locked.payments.internal"));
        var version = created.Properties.Version;
        var secrets = fixture.Server.SecretClient();

        var put = await FailsWith(403, "Forbidden", () => secrets.SetSecretAsync(name, "overwritten"));
        Assert.Equal("ManagedObject", InnerErrorCode(put));
        var secretProperties = (await secrets.GetSecretAsync(name)).Value.Properties;
        secretProperties.Enabled = false;
        Assert.Equal("ManagedObject", InnerErrorCode(await FailsWith(403, "Forbidden", () => secrets.UpdateSecretPropertiesAsync(secretProperties))));
        Assert.Equal("ManagedObject", InnerErrorCode(await FailsWith(403, "Forbidden", () => secrets.StartDeleteSecretAsync(name))));
        Assert.Equal("ManagedObject", InnerErrorCode(await FailsWith(403, "Forbidden", () => secrets.BackupSecretAsync(name))));

        (await Raw.UpdateAsync(name, version, new JsonObject { ["attributes"] = new JsonObject { ["enabled"] = false } })).Error(HttpStatusCode.Forbidden, "Forbidden", "ManagedObject");
        (await Raw.SendAsync(HttpMethod.Delete, $"/keys/{name}")).Error(HttpStatusCode.Forbidden, "Forbidden", "ManagedObject");
        (await Raw.CreateAsync(name, new JsonObject { ["kty"] = "RSA" })).Error(HttpStatusCode.Forbidden, "Forbidden", "ManagedObject");
        (await Raw.SendAsync(HttpMethod.Post, $"/keys/{name}/rotate")).Error(HttpStatusCode.Forbidden, "Forbidden", "ManagedObject");
        (await Raw.SendAsync(HttpMethod.Post, $"/keys/{name}/backup")).Error(HttpStatusCode.Forbidden, "Forbidden", "ManagedObject");

        // Nothing moved: one version of each, enabled, and the certificate still downloads with its key.
        Assert.Single(await Raw.VersionsAsync(name));
        Assert.True((await Raw.GetAsync(name)).Ok().GetProperty("attributes").GetProperty("enabled").GetBoolean());
        var secretVersion = Assert.Single(await secrets.GetPropertiesOfSecretVersionsAsync(name).ToListAsync());
        Assert.Equal(version, secretVersion.Version);
        Assert.True(secretVersion.Enabled);
        using var downloaded = (await Admin.DownloadCertificateAsync(name)).Value;
        Assert.True(downloaded.HasPrivateKey);
        Assert.Equal(created.Cer, downloaded.RawData);
    }

    [Fact]
    public async Task A_certificate_cannot_take_the_name_of_an_ordinary_secret_or_key()
    {
        var secretName = UniqueName("plain-secret");
        await fixture.Server.SecretClient().SetSecretAsync(secretName, "an ordinary secret");
        var keyName = UniqueName("plain-key");
        await Raw.CreateOkAsync(keyName, "EC", crv: "P-256");

        await FailsWith(409, "Conflict", () => Admin.StartCreateCertificateAsync(secretName, SelfPolicy()));
        await FailsWith(409, "Conflict", () => Admin.StartCreateCertificateAsync(keyName, SelfPolicy()));

        Assert.Equal("an ordinary secret", (await fixture.Server.SecretClient().GetSecretAsync(secretName)).Value.Value);
        Assert.False((await fixture.Server.SecretClient().GetSecretAsync(secretName)).Value.Properties.Managed);
        await FailsWith(404, "CertificateNotFound", () => Admin.GetCertificateAsync(secretName));
    }
}
