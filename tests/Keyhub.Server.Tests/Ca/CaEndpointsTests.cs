using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Keyhub.Core.Certificates;
using Keyhub.Core.Keys;
using Keyhub.Core.Vaults;
using Keyhub.Server.Tests.Access;

namespace Keyhub.Server.Tests.Ca;

/// <summary>
/// The workload CA over the management API: the chain and CRL are public, revoking and rotating are the
/// Owner's, and only the Owner sets which names a vault may get certificates for.
/// </summary>
[Collection(ManagementAccessCollection.Name)]
public sealed class CaEndpointsTests(AccessServer fixture)
{
    [Fact]
    public async Task The_chain_and_the_CRL_answer_without_a_token_and_the_root_is_not_the_TLS_CA()
    {
        using var http = fixture.Server.HttpClient();

        using var chainResponse = await http.GetAsync(new Uri("/keyhub/v1/ca", UriKind.Relative));
        using var crlResponse = await http.GetAsync(new Uri("/keyhub/v1/ca/crl", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, chainResponse.StatusCode);
        Assert.Equal("application/x-pem-file", chainResponse.Content.Headers.ContentType?.MediaType);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(await chainResponse.Content.ReadAsStringAsync());
        Assert.Equal(2, chain.Count);
        Assert.Equal(chain[1].Subject, chain[0].Issuer);
        Assert.Equal(chain[1].Subject, chain[1].Issuer);
        Assert.StartsWith("CN=Keyhub Workload Root CA", chain[1].Subject, StringComparison.Ordinal);
        Assert.NotEqual(fixture.Server.CaCertificate.Thumbprint, chain[1].Thumbprint);
        Assert.NotEqual(fixture.Server.CaCertificate.Subject, chain[1].Subject);
        Assert.DoesNotContain(chain.Cast<X509Certificate2>(), c => c.PublicKey.EncodedKeyValue.RawData.SequenceEqual(fixture.Server.CaCertificate.PublicKey.EncodedKeyValue.RawData));

        Assert.Equal(HttpStatusCode.OK, crlResponse.StatusCode);
        Assert.Equal("application/pkix-crl", crlResponse.Content.Headers.ContentType?.MediaType);
        CertificateRevocationListBuilder.Load(await crlResponse.Content.ReadAsByteArrayAsync(), out var number);
        Assert.True(number > 0);
    }

    [Theory]
    [InlineData("POST", "/ca/revocations")]
    [InlineData("POST", "/ca/rotate")]
    [InlineData("POST", "/ca")]
    [InlineData("GET", "/ca/crl/")]
    [InlineData("GET", "/ca/other")]
    public async Task Everything_else_under_the_CA_still_needs_a_token(string method, string path)
    {
        using var anonymous = ManagementClient.WithToken(fixture.Server, null);

        var response = await anonymous.SendAsync(new HttpMethod(method), path, method == "POST" ? new JsonObject { ["serialNumber"] = "01" } : null);

        response.Problem(HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task Only_the_Owner_revokes_and_the_revoked_serial_is_in_the_next_CRL()
    {
        var serial = await IssueAsync("revoke");
        var officer = await fixture.CreatePrincipalAsync("ca-officer");
        await fixture.AssignAsync(officer.ObjectId, "Key Vault Secrets Officer", "/vaults/hub");
        await fixture.AssignAsync(officer.ObjectId, "Key Vault Administrator", "/");
        using var officerClient = await ManagementClient.ConnectAsync(fixture.Server, officer);

        (await officerClient.PostAsync("/ca/revocations", new JsonObject { ["serialNumber"] = serial })).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        Assert.False(await CrlListsAsync(serial));

        var revoked = (await fixture.Admin.PostAsync("/ca/revocations", new JsonObject { ["serialNumber"] = serial })).Ok();
        Assert.True(revoked.GetProperty("revoked").GetBoolean());
        Assert.True(await CrlListsAsync(serial));
        (await fixture.Admin.PostAsync("/ca/revocations", new JsonObject { ["serialNumber"] = serial })).Ok();
        (await fixture.Admin.PostAsync("/ca/revocations", new JsonObject { ["serialNumber"] = "7f00ff" })).Problem(HttpStatusCode.NotFound, "CertificateNotFound");
        (await fixture.Admin.PostAsync("/ca/revocations", new JsonObject { ["serialNumber"] = "zz" })).Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await fixture.Admin.PostAsync("/ca/revocations", new JsonObject())).Problem(HttpStatusCode.BadRequest, "BadParameter");
    }

    [Fact]
    public async Task Only_the_Owner_rotates_the_intermediate_and_the_published_chain_follows()
    {
        var before = await PublishedChainAsync();
        var officer = await fixture.CreatePrincipalAsync("ca-rotator");
        await fixture.AssignAsync(officer.ObjectId, "Vault Contributor", "/");
        using var officerClient = await ManagementClient.ConnectAsync(fixture.Server, officer);

        (await officerClient.PostAsync("/ca/rotate")).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        Assert.Equal(before[0].Thumbprint, (await PublishedChainAsync())[0].Thumbprint);

        var rotated = (await fixture.Admin.PostAsync("/ca/rotate")).Ok().GetProperty("value");
        var after = await PublishedChainAsync();
        Assert.NotEqual(before[0].Thumbprint, after[0].Thumbprint);
        Assert.Equal(before[1].Thumbprint, after[1].Thumbprint);
        Assert.Equal(after[0].SerialNumber.ToLowerInvariant(), rotated[0].GetProperty("serialNumber").GetString());
    }

    [Fact]
    public async Task The_Owner_sets_a_vaults_certificate_names_and_its_own_team_and_a_contributor_cannot()
    {
        var spoke = await fixture.CreateSpokeAsync("ca-names");
        var contributor = await fixture.CreatePrincipalAsync("ca-names-contrib");
        await fixture.AssignAsync(contributor.ObjectId, "Vault Contributor", spoke.Scope);
        using var team = await ManagementClient.ConnectAsync(fixture.Server, spoke.Team);
        using var contributorClient = await ManagementClient.ConnectAsync(fixture.Server, contributor);
        var widen = new JsonObject { ["certDnsSuffixes"] = new JsonArray("internal") };

        (await team.PatchAsync($"/vaults/{spoke.Name}", widen)).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        (await contributorClient.PatchAsync($"/vaults/{spoke.Name}", widen)).Problem(HttpStatusCode.Forbidden, "AuthorizationFailed");
        (await fixture.Admin.PatchAsync($"/vaults/{spoke.Name}", new JsonObject { ["certDnsSuffixes"] = new JsonArray("*.payments.internal") }))
            .Problem(HttpStatusCode.BadRequest, "BadParameter");
        (await fixture.Admin.PatchAsync($"/vaults/{spoke.Name}", new JsonObject { ["certIpRanges"] = "10.1.0.0/16" }))
            .Problem(HttpStatusCode.BadRequest, "BadParameter");

        var updated = (await fixture.Admin.PatchAsync($"/vaults/{spoke.Name}", new JsonObject
        {
            ["certDnsSuffixes"] = new JsonArray("Payments.Internal"),
            ["certIpRanges"] = new JsonArray("10.1.0.0/16"),
        })).Ok();

        Assert.Equal("payments.internal", Assert.Single(updated.GetProperty("certDnsSuffixes").EnumerateArray()).GetString());
        Assert.Equal("10.1.0.0/16", Assert.Single(updated.GetProperty("certIpRanges").EnumerateArray()).GetString());
        var shown = (await fixture.Admin.GetAsync($"/vaults/{spoke.Name}")).Ok();
        Assert.Equal("payments.internal", shown.GetProperty("certDnsSuffixes")[0].GetString());
        Assert.Equal(0, (await fixture.Admin.GetAsync("/vaults/hub")).Ok().GetProperty("certDnsSuffixes").GetArrayLength());

        // The stored allow-list is what the CA applies.
        var vault = (await fixture.Server.Server.Runtime.Vaults.GetAsync(spoke.Name, CancellationToken.None))!;
        await fixture.Server.Server.Runtime.Ca.IssueAsync(vault, X509("api.payments.internal"), NewKey(), CancellationToken.None);
        var refused = await Assert.ThrowsAsync<Keyhub.Core.Errors.KeyhubException>(
            () => fixture.Server.Server.Runtime.Ca.IssueAsync(vault, X509("api.hub.internal"), NewKey(), CancellationToken.None));
        Assert.Contains("api.hub.internal", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Issues a leaf the way the certificates engine does (the CA on a vault whose allow-list covers the name); returns its serial.</summary>
    private async Task<string> IssueAsync(string label)
    {
        var vault = new VaultProperties { Name = "hub", CertDnsSuffixes = ["payments.internal"] };
        var (leaf, _) = await fixture.Server.Server.Runtime.Ca.IssueAsync(vault, X509($"{label}.payments.internal"), NewKey(), CancellationToken.None);
        using var certificate = X509CertificateLoader.LoadCertificate(leaf);
        return certificate.SerialNumber;
    }

    private async Task<bool> CrlListsAsync(string serial)
    {
        using var http = fixture.Server.HttpClient();
        var crl = await http.GetByteArrayAsync(new Uri("/keyhub/v1/ca/crl", UriKind.Relative));
        return CertificateRevocationListBuilder.Load(crl, out _).RemoveEntry(Convert.FromHexString(serial));
    }

    private async Task<X509Certificate2Collection> PublishedChainAsync()
    {
        using var http = fixture.Server.HttpClient();
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(await http.GetStringAsync(new Uri("/keyhub/v1/ca", UriKind.Relative)));
        return chain;
    }

    private static KeyMaterial NewKey() => KeyFactory.Generate(KeyTypes.Ec, null, null, Curves.P256);

    private static CertificateX509Properties X509(string dnsName) => new()
    {
        Subject = $"CN={dnsName}",
        DnsNames = [dnsName],
        Ekus = CertificatePolicyRules.DefaultEkus,
        KeyUsage = CertificatePolicyRules.DefaultKeyUsage,
    };
}
