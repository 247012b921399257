using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Security.KeyVault.Certificates;
using Keyhub.Server.Tests.Keys;
using static Keyhub.Server.Tests.Certificates.CertificateKit;

namespace Keyhub.Server.Tests.Certificates;

/// <summary>
/// What a policy puts in the issued certificate, read back from the X.509 itself: key type and size or
/// curve, reuse of the key, subject, every kind of SAN, critical key usage, EKUs and validity. Unsupported
/// values are Azure error bodies (400 BadParameter) and leave the stored certificate and policy as they were.
/// </summary>
[Collection(CertificatesServerCollection.Name)]
public sealed class CertificatePolicyTests(CertificatesServer fixture)
{
    private CertificateClient Admin => fixture.Admin;

    public static TheoryData<string, int?, string?, string> KeyShapes => new()
    {
        { "RSA", 2048, null, "RS256" },
        { "RSA", 3072, null, "RS384" },
        { "RSA", 4096, null, "RS512" },
        { "EC", null, "P-256", "ES256" },
        { "EC", null, "P-384", "ES384" },
        { "EC", null, "P-521", "ES512" },
    };

    [Theory]
    [MemberData(nameof(KeyShapes))]
    public async Task The_issued_certificate_carries_the_key_the_policy_asks_for_and_that_key_signs(string kty, int? size, string? curve, string alg)
    {
        var name = UniqueName($"key-{kty}-{size}{curve}".ToLowerInvariant());
        var policy = SelfPolicy("CN=keys.payments.internal");
        policy.KeyType = new CertificateKeyType(kty);
        policy.KeySize = size;
        if (curve is not null)
        {
            policy.KeyCurveName = new CertificateKeyCurveName(curve);
        }

        var created = await Admin.CreateAsync(name, policy);

        using var certificate = Load(created.Cer);
        if (kty == "RSA")
        {
            using var rsa = certificate.GetRSAPublicKey()!;
            Assert.Equal(size, rsa.KeySize);
            Assert.Equal(size, created.Policy.KeySize);
            Assert.Equal("sha256RSA", certificate.SignatureAlgorithm.FriendlyName);
        }
        else
        {
            using var ecdsa = certificate.GetECDsaPublicKey()!;
            Assert.Equal(int.Parse(curve![2..], System.Globalization.CultureInfo.InvariantCulture), ecdsa.KeySize);
            Assert.Equal(curve, created.Policy.KeyCurveName.ToString());
            Assert.Equal(ecdsa.KeySize, created.Policy.KeySize);
        }
        Assert.Equal(new CertificateKeyType(kty), created.Policy.KeyType);
        var hash = new HashAlgorithmName("SHA" + alg[2..]);
        var digest = hash.Name switch
        {
            "SHA256" => SHA256.HashData("by policy"u8),
            "SHA384" => SHA384.HashData("by policy"u8),
            _ => SHA512.HashData("by policy"u8),
        };
        var signature = (await fixture.Raw.OperateOkAsync(name, created.Properties.Version, "sign", RawKeysClient.Body(alg, digest))).Value;
        Assert.True(Verifies(created.Cer, digest, signature, hash));
    }

    [Fact]
    public async Task Subject_SANs_key_usage_EKUs_and_validity_are_in_the_X509_as_the_policy_says()
    {
        var name = UniqueName("x509");
        var sans = new SubjectAlternativeNames
        {
            DnsNames = { "api.payments.internal", "*.api.payments.internal" },
            Emails = { "pki@payments.example" },
            UserPrincipalNames = { "svc-payments@corp.example" },
            UniformResourceIdentifiers = { "spiffe://payments.internal/api" },
            IpAddresses = { "10.20.30.40", "fd00::1" },
        };
        var policy = new CertificatePolicy(WellKnownIssuerNames.Self, "CN=api.payments.internal, OU=Payments, O=Example", sans)
        {
            ValidityInMonths = 7,
            KeyUsage = { CertificateKeyUsage.DigitalSignature, CertificateKeyUsage.KeyEncipherment, CertificateKeyUsage.NonRepudiation, CertificateKeyUsage.CrlSign },
            EnhancedKeyUsage = { "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.3" },
        };
        var before = DateTimeOffset.UtcNow;

        var created = await Admin.CreateAsync(name, policy);

        using var certificate = Load(created.Cer);
        Assert.Equal("CN=api.payments.internal, OU=Payments, O=Example", certificate.Subject);
        var names = SubjectAlternativeNames(certificate);
        Assert.Equal(["*.api.payments.internal", "api.payments.internal"], names["dns"].Order(StringComparer.Ordinal));
        Assert.Equal(["pki@payments.example"], names["email"]);
        Assert.Equal(["svc-payments@corp.example"], names["upn"]);
        Assert.Equal(["spiffe://payments.internal/api"], names["uri"]);
        Assert.Equal(["10.20.30.40", "fd00::1"], names["ip"].Order(StringComparer.Ordinal));
        var usage = Assert.Single(certificate.Extensions.OfType<X509KeyUsageExtension>());
        Assert.True(usage.Critical);
        Assert.Equal(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.NonRepudiation | X509KeyUsageFlags.CrlSign,
            usage.KeyUsages);
        var ekus = Assert.Single(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.3"], ekus.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).Order(StringComparer.Ordinal));
        var constraints = Assert.Single(certificate.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.False(constraints.CertificateAuthority);
        Assert.InRange(certificate.NotAfter.ToUniversalTime(), before.AddMonths(7).UtcDateTime.AddMinutes(-1), DateTime.UtcNow.AddMonths(7).AddMinutes(1));

        // The policy reads back the same; key usage comes in Azure's spelling and order (cRLSign, which the
        // .NET SDK's CertificateKeyUsage.CrlSign — "crlSign" — does not equal, as against Azure itself).
        var stored = (await Admin.GetCertificatePolicyAsync(name)).Value;
        Assert.Equal(7, stored.ValidityInMonths);
        Assert.Equal(sans.DnsNames.Order(StringComparer.Ordinal), stored.SubjectAlternativeNames.DnsNames.Order(StringComparer.Ordinal));
        Assert.Equal(sans.Emails, stored.SubjectAlternativeNames.Emails);
        Assert.Equal(sans.UserPrincipalNames, stored.SubjectAlternativeNames.UserPrincipalNames);
        Assert.Equal(sans.UniformResourceIdentifiers, stored.SubjectAlternativeNames.UniformResourceIdentifiers);
        Assert.Equal(sans.IpAddresses.Order(StringComparer.Ordinal), stored.SubjectAlternativeNames.IpAddresses.Order(StringComparer.Ordinal));
        Assert.Equal(4, stored.KeyUsage.Count);
        Assert.Contains(new CertificateKeyUsage("cRLSign"), stored.KeyUsage);
        var wire = (await fixture.Raw.SendAsync(HttpMethod.Get, $"/certificates/{name}/policy")).Ok();
        Assert.Equal(["cRLSign", "digitalSignature", "keyEncipherment", "nonRepudiation"],
            wire.GetProperty("x509_props").GetProperty("key_usage").EnumerateArray().Select(u => u.GetString()));

        // The managed key's operations follow the key usages.
        var ops = (await fixture.Raw.GetAsync(name)).Ok().GetProperty("key").GetProperty("key_ops").EnumerateArray().Select(o => o.GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(["sign", "unwrapKey", "verify", "wrapKey"], ops);
    }

    [Fact]
    public async Task Reuse_key_keeps_the_public_key_across_versions_and_without_it_each_version_has_a_new_key()
    {
        var name = UniqueName("reuse");
        var reuse = SelfPolicy("CN=reuse.payments.internal");
        reuse.ReuseKey = true;
        var first = await Admin.CreateAsync(name, reuse);
        var second = await Admin.CreateAsync(name, reuse);
        Assert.NotEqual(first.Properties.Version, second.Properties.Version);
        Assert.NotEqual(first.Cer, second.Cer);
        Assert.Equal(PublicKeyOf(first.Cer), PublicKeyOf(second.Cer));

        var fresh = SelfPolicy("CN=reuse.payments.internal");
        fresh.ReuseKey = false;
        var third = await Admin.CreateAsync(name, fresh);
        Assert.NotEqual(PublicKeyOf(second.Cer), PublicKeyOf(third.Cer));

        // Each version's key still signs for its own certificate.
        var digest = SHA256.HashData("old and new"u8);
        foreach (var version in new[] { first, third })
        {
            var signature = (await fixture.Raw.OperateOkAsync(name, version.Properties.Version, "sign", RawKeysClient.Body("RS256", digest))).Value;
            Assert.True(Verifies(version.Cer, digest, signature, HashAlgorithmName.SHA256));
        }
    }

    public static TheoryData<string> BadPolicies => new()
    {
        "kty oct", "RSA 1024", "EC P-256K", "EC key_size 2048", "content type text/plain", "validity 0", "validity 121",
        "lifetime 100 %", "days_before_expiry beyond the validity", "key usage bogus", "EKU not an OID", "AutoRenew for Unknown",
    };

    private static CertificatePolicy Bad(string which)
    {
        var policy = SelfPolicy("CN=steady.payments.internal");
        switch (which)
        {
            case "kty oct": policy.KeyType = new CertificateKeyType("oct"); break;
            case "RSA 1024": policy.KeyType = CertificateKeyType.Rsa; policy.KeySize = 1024; break;
            case "EC P-256K": policy.KeyType = CertificateKeyType.Ec; policy.KeyCurveName = CertificateKeyCurveName.P256K; break;
            case "EC key_size 2048": policy.KeyType = CertificateKeyType.Ec; policy.KeySize = 2048; break;
            case "content type text/plain": policy.ContentType = new CertificateContentType("text/plain"); break;
            case "validity 0": policy.ValidityInMonths = 0; break;
            case "validity 121": policy.ValidityInMonths = 121; break;
            case "lifetime 100 %": policy.LifetimeActions.Add(new LifetimeAction(CertificatePolicyAction.AutoRenew) { LifetimePercentage = 100 }); break;
            case "days_before_expiry beyond the validity":
                policy.ValidityInMonths = 1;
                policy.LifetimeActions.Add(new LifetimeAction(CertificatePolicyAction.AutoRenew) { DaysBeforeExpiry = 60 });
                break;
            case "key usage bogus": policy.KeyUsage.Add(new CertificateKeyUsage("bogusUsage")); break;
            case "EKU not an OID": policy.EnhancedKeyUsage.Add("serverAuth"); break;
            case "AutoRenew for Unknown":
                policy = new CertificatePolicy(WellKnownIssuerNames.Unknown, "CN=steady.payments.internal");
                policy.LifetimeActions.Add(new LifetimeAction(CertificatePolicyAction.AutoRenew) { LifetimePercentage = 50 });
                break;
            default: throw new ArgumentOutOfRangeException(nameof(which), which, null);
        }
        return policy;
    }

    [Theory]
    [MemberData(nameof(BadPolicies))]
    public async Task An_unsupported_policy_value_is_a_400_BadParameter_on_create_and_on_policy_update_and_changes_nothing(string which)
    {
        var name = await SteadyAsync();
        var before = await SnapshotAsync(name);

        await FailsWith(400, "BadParameter", () => Admin.StartCreateCertificateAsync(name, Bad(which)));
        await FailsWith(400, "BadParameter", () => Admin.UpdateCertificatePolicyAsync(name, Bad(which)));
        var fresh = UniqueName("never");
        await FailsWith(400, "BadParameter", () => Admin.StartCreateCertificateAsync(fresh, Bad(which)));

        Assert.Equal(before, await SnapshotAsync(name));
        await FailsWith(404, "CertificateNotFound", () => Admin.GetCertificateAsync(fresh));
        await FailsWith(404, "PendingCertificateNotFound", () => Admin.GetCertificateOperationAsync(fresh));
    }

    /// <summary>One certificate the refusal tests try to change (made once; tests of a collection run one at a time).</summary>
    private async Task<string> SteadyAsync()
    {
        s_steady ??= UniqueName("steady");
        try
        {
            await Admin.GetCertificateAsync(s_steady);
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            await Admin.CreateAsync(s_steady, SelfPolicy("CN=steady.payments.internal"));
        }
        return s_steady;
    }

    private static string? s_steady;

    /// <summary>What the API shows of a certificate: latest bundle (with policy), policy, versions, pending operation.</summary>
    private async Task<string> SnapshotAsync(string name)
    {
        var parts = new List<string>
        {
            (await fixture.Raw.SendAsync(HttpMethod.Get, $"/certificates/{name}")).Ok().GetRawText(),
            (await fixture.Raw.SendAsync(HttpMethod.Get, $"/certificates/{name}/policy")).Ok().GetRawText(),
            (await fixture.Raw.SendAsync(HttpMethod.Get, $"/certificates/{name}/versions")).Ok().GetRawText(),
            (await fixture.Raw.SendAsync(HttpMethod.Get, $"/certificates/{name}/pending")).Ok().GetRawText(),
            JsonSerializer.Serialize((await fixture.Raw.VersionsAsync(name)).Select(v => v.GetRawText())),
        };
        return string.Join("\n", parts);
    }
}
