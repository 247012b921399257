using System.Net;
using Keyhub.Core.Authorization;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Credentials;

/// <summary>
/// Hand-made client assertions (RFC 7523, shaped like MSAL.NET's): the valid one is accepted; every defect
/// — replay, wrong audience, expired, unknown certificate, wrong key, iss≠sub, disabled principal — is a
/// 401 <c>invalid_client</c>.
/// </summary>
public sealed class ClientAssertionNegativeTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private KeyhubTestServer Server => shared.Server;

    private async Task<(string ClientId, System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate)> PrincipalWithCertificateAsync(string name)
    {
        var (clientId, _, _) = await Server.AddPrincipalAsync(name, BuiltInRoles.SecretsUser);
        var certificate = CredentialKit.NewCertificate();
        await CredentialKit.RegisterCertificateAsync(Server, clientId, certificate);
        return (clientId, certificate);
    }

    [Theory]
    [InlineData("PS256")]
    [InlineData("RS256")]
    public async Task Valid_hand_made_assertion_gets_a_token_that_reads_a_secret(string alg)
    {
        var value = await CredentialKit.SeedSecretAsync(Server, "assertion-control-" + alg.ToLowerInvariant());
        var (clientId, certificate) = await PrincipalWithCertificateAsync("assertion-control-" + alg);
        using (certificate)
        {
            var assertion = CredentialKit.Assertion(certificate, CredentialKit.TokenEndpoint(Server), clientId, alg: alg);
            var (status, body, _) = await CredentialKit.AssertionTokenAsync(Server, clientId, assertion);
            Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
            Assert.Equal("Bearer", body["token_type"]!.GetValue<string>());
            var token = body["access_token"]!.GetValue<string>();
            Assert.Equal(HttpStatusCode.OK, await CredentialKit.ReadWithTokenAsync(Server, token, "assertion-control-" + alg.ToLowerInvariant()));
            _ = value;
        }
    }

    [Fact]
    public async Task Replayed_assertion_is_refused()
    {
        var (clientId, certificate) = await PrincipalWithCertificateAsync("assertion-replay");
        using (certificate)
        {
            var assertion = CredentialKit.Assertion(certificate, CredentialKit.TokenEndpoint(Server), clientId);
            var (first, firstBody, _) = await CredentialKit.AssertionTokenAsync(Server, clientId, assertion);
            Assert.True(first == HttpStatusCode.OK, firstBody.ToJsonString());

            var (second, secondBody, _) = await CredentialKit.AssertionTokenAsync(Server, clientId, assertion);
            CredentialKit.AssertInvalidClient(second, secondBody);

            // The same jti in a freshly signed assertion is a replay too.
            var jti = Guid.NewGuid().ToString();
            var (a, aBody, _) = await CredentialKit.AssertionTokenAsync(Server, clientId, CredentialKit.Assertion(certificate, CredentialKit.TokenEndpoint(Server), clientId, jti: jti));
            Assert.True(a == HttpStatusCode.OK, aBody.ToJsonString());
            var (b, bBody, _) = await CredentialKit.AssertionTokenAsync(Server, clientId, CredentialKit.Assertion(certificate, CredentialKit.TokenEndpoint(Server), clientId, jti: jti, expires: DateTimeOffset.UtcNow.AddMinutes(9)));
            CredentialKit.AssertInvalidClient(b, bBody);
        }
    }

    [Theory]
    [InlineData("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token")]
    [InlineData("{origin}/other-tenant/oauth2/v2.0/token")]
    [InlineData("{origin}/{tenant}/v2.0")]
    [InlineData("{origin}")]
    public async Task Assertion_for_another_audience_is_refused(string audienceTemplate)
    {
        var (clientId, certificate) = await PrincipalWithCertificateAsync("assertion-audience");
        using (certificate)
        {
            var audience = audienceTemplate
                .Replace("{origin}", Server.Credentials.AuthorityHost.TrimEnd('/'), StringComparison.Ordinal)
                .Replace("{tenant}", Server.Credentials.TenantId, StringComparison.Ordinal);
            var (status, body, _) = await CredentialKit.AssertionTokenAsync(Server, clientId, CredentialKit.Assertion(certificate, audience, clientId));
            CredentialKit.AssertInvalidClient(status, body);
        }
    }

    [Fact]
    public async Task Expired_assertion_is_refused()
    {
        var (clientId, certificate) = await PrincipalWithCertificateAsync("assertion-expired");
        using (certificate)
        {
            // Expired beyond the 5-minute skew.
            var assertion = CredentialKit.Assertion(certificate, CredentialKit.TokenEndpoint(Server), clientId,
                notBefore: DateTimeOffset.UtcNow.AddMinutes(-20), expires: DateTimeOffset.UtcNow.AddMinutes(-10));
            var (status, body, _) = await CredentialKit.AssertionTokenAsync(Server, clientId, assertion);
            CredentialKit.AssertInvalidClient(status, body);

            // Not yet valid (beyond the skew), and a lifetime longer than one hour.
            var future = CredentialKit.Assertion(certificate, CredentialKit.TokenEndpoint(Server), clientId,
                notBefore: DateTimeOffset.UtcNow.AddMinutes(20), expires: DateTimeOffset.UtcNow.AddMinutes(30));
            var (s2, b2, _) = await CredentialKit.AssertionTokenAsync(Server, clientId, future);
            CredentialKit.AssertInvalidClient(s2, b2);
            var longLived = CredentialKit.Assertion(certificate, CredentialKit.TokenEndpoint(Server), clientId,
                notBefore: DateTimeOffset.UtcNow.AddMinutes(-1), expires: DateTimeOffset.UtcNow.AddHours(2));
            var (s3, b3, _) = await CredentialKit.AssertionTokenAsync(Server, clientId, longLived);
            CredentialKit.AssertInvalidClient(s3, b3);
        }
    }

    [Fact]
    public async Task Assertion_with_an_unregistered_certificate_is_refused()
    {
        var (clientId, certificate) = await PrincipalWithCertificateAsync("assertion-unregistered");
        using (certificate)
        using (var stranger = CredentialKit.NewCertificate("CN=stranger"))
        {
            var (status, body, _) = await CredentialKit.AssertionTokenAsync(Server, clientId, CredentialKit.Assertion(stranger, CredentialKit.TokenEndpoint(Server), clientId));
            CredentialKit.AssertInvalidClient(status, body);
        }
    }

    [Fact]
    public async Task Assertion_naming_the_registered_certificate_but_signed_by_another_key_is_refused()
    {
        var (clientId, certificate) = await PrincipalWithCertificateAsync("assertion-wrong-key");
        using (certificate)
        using (var stranger = CredentialKit.NewCertificate("CN=stranger"))
        {
            var forged = CredentialKit.Assertion(stranger, CredentialKit.TokenEndpoint(Server), clientId, namedCertificate: certificate);
            var (status, body, _) = await CredentialKit.AssertionTokenAsync(Server, clientId, forged);
            CredentialKit.AssertInvalidClient(status, body);
        }
    }

    [Fact]
    public async Task Assertion_whose_issuer_differs_from_subject_or_client_id_is_refused()
    {
        var (clientId, certificate) = await PrincipalWithCertificateAsync("assertion-iss-sub");
        var (otherClientId, _, _) = await Server.AddPrincipalAsync("assertion-iss-sub-other", BuiltInRoles.SecretsUser);
        using (certificate)
        {
            var (s1, b1, _) = await CredentialKit.AssertionTokenAsync(Server, clientId, CredentialKit.Assertion(certificate, CredentialKit.TokenEndpoint(Server), clientId, subject: otherClientId));
            CredentialKit.AssertInvalidClient(s1, b1);
            // The form's client_id names another principal than the assertion's iss/sub.
            var (s2, b2, _) = await CredentialKit.AssertionTokenAsync(Server, otherClientId, CredentialKit.Assertion(certificate, CredentialKit.TokenEndpoint(Server), clientId));
            CredentialKit.AssertInvalidClient(s2, b2);
        }
    }

    [Fact]
    public async Task Assertion_of_a_disabled_principal_is_refused()
    {
        var (clientId, certificate) = await PrincipalWithCertificateAsync("assertion-disabled");
        using (certificate)
        {
            var (patch, patchBody) = await CredentialKit.ManageAsync(Server, HttpMethod.Patch, $"/principals/{clientId}", new { enabled = false });
            Assert.True(patch == HttpStatusCode.OK, patchBody?.ToJsonString());
            var (status, body, _) = await CredentialKit.AssertionTokenAsync(Server, clientId, CredentialKit.Assertion(certificate, CredentialKit.TokenEndpoint(Server), clientId));
            CredentialKit.AssertInvalidClient(status, body);
        }
    }
}
