using Keyhub.Core.Ca;
using Keyhub.Core.Certificates;
using Keyhub.Core.Errors;
using Keyhub.Core.Vaults;

namespace Keyhub.Core.Tests.Ca;

public sealed class CertificateNameRulesTests
{
    private static readonly VaultProperties Spoke = new()
    {
        Name = "spoke-payments",
        CertDnsSuffixes = ["payments.internal"],
        CertIpRanges = ["10.1.0.0/16", "fd00:1::/64"],
    };

    [Theory]
    [InlineData("payments.internal")]
    [InlineData("api.payments.internal")]
    [InlineData("a.b.payments.internal")]
    [InlineData("API.Payments.Internal")]
    [InlineData("*.payments.internal")]
    [InlineData("*.api.payments.internal")]
    public void A_name_at_or_under_a_suffix_is_allowed(string name) =>
        Assert.True(CertificateNameRules.IsAllowedDnsName(Spoke.CertDnsSuffixes, name));

    [Theory]
    [InlineData("internal")]
    [InlineData("*.internal")]
    [InlineData("evilpayments.internal")]
    [InlineData("payments.internal.evil.example")]
    [InlineData("payments.internal.")]
    [InlineData("*")]
    [InlineData("a*.payments.internal")]
    [InlineData("*.*.payments.internal")]
    [InlineData("api.payments.internal\u0000.evil")]
    [InlineData("päyments.internal")]
    public void A_name_outside_the_suffixes_or_not_a_host_name_is_refused(string name) =>
        Assert.False(CertificateNameRules.IsAllowedDnsName(Spoke.CertDnsSuffixes, name));

    [Fact]
    public void An_empty_allow_list_allows_no_name() =>
        Assert.False(CertificateNameRules.IsAllowedDnsName([], "payments.internal"));

    [Fact]
    public void Ranges_are_canonical_and_refused_with_host_bits_set()
    {
        Assert.Equal(["10.1.0.0/16", "fd00:1::/64"], CertificateNameRules.NormalizeRanges([" 10.1.0.0/16", "FD00:1::/64", "10.1.0.0/16"]));
        var error = Assert.Throws<KeyhubException>(() => CertificateNameRules.NormalizeRanges(["10.1.2.3/16"]));
        Assert.Contains("10.1.0.0/16", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Allowed_names_pass()
    {
        CertificateNameRules.Check(Spoke, X509(subject: "CN=api.payments.internal, O=Payments", dns: ["api.payments.internal", "*.payments.internal"], ips: ["10.1.4.5", "fd00:1::5"]));
        CertificateNameRules.Check(Spoke, X509(subject: "CN=payments api"));
    }

    [Theory]
    [InlineData("CN=api", "api.hub.internal", null, "api.hub.internal")]
    [InlineData("CN=api", "*.internal", null, "*.internal")]
    [InlineData("CN=api.hub.internal", null, null, "api.hub.internal")]
    [InlineData("CN=*.hub.internal", null, null, "*.hub.internal")]
    [InlineData("CN=localhost", null, null, "localhost")]
    [InlineData("CN=10.2.0.1", null, null, "10.2.0.1")]
    [InlineData("CN=api", null, "10.2.0.1", "10.2.0.1")]
    [InlineData("CN=api", null, "fd00:2::1", "fd00:2::1")]
    public void A_name_outside_the_allow_list_is_refused_by_name(string subject, string? dns, string? ip, string refused)
    {
        var error = Assert.Throws<KeyhubException>(() => CertificateNameRules.Check(Spoke, X509(subject, dns is null ? [] : [dns], ip is null ? [] : [ip])));

        Assert.Equal(400, error.Status);
        Assert.Equal("BadParameter", error.Code);
        Assert.Contains($"'{refused}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Email_upn_and_uri_names_are_refused_even_inside_the_suffix()
    {
        foreach (var x509 in new[]
        {
            X509() with { Emails = ["ops@payments.internal"] },
            X509() with { Upns = ["app@payments.internal"] },
            X509() with { Uris = ["https://api.payments.internal/"] },
            X509("CN=api, E=ops@payments.internal"),
        })
        {
            Assert.Equal(400, Assert.Throws<KeyhubException>(() => CertificateNameRules.Check(Spoke, x509)).Status);
        }
    }

    [Fact]
    public void Ca_key_usages_and_purposes_beyond_tls_are_refused()
    {
        foreach (var x509 in new[]
        {
            X509() with { KeyUsage = ["digitalSignature", "keyCertSign"] },
            X509() with { KeyUsage = ["cRLSign"] },
            X509() with { Ekus = ["1.3.6.1.5.5.7.3.9"] },
            X509() with { Ekus = ["2.5.29.37.0"] },
            X509() with { Ekus = [] },
        })
        {
            Assert.Equal(400, Assert.Throws<KeyhubException>(() => CertificateNameRules.Check(Spoke, x509)).Status);
        }
    }

    private static CertificateX509Properties X509(string subject = "CN=api", IReadOnlyList<string>? dns = null, IReadOnlyList<string>? ips = null) => new()
    {
        Subject = subject,
        DnsNames = dns ?? [],
        IpAddresses = ips ?? [],
        Ekus = CertificatePolicyRules.DefaultEkus,
        KeyUsage = CertificatePolicyRules.DefaultKeyUsage,
    };
}
