using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyhub.Core.Authorization;
using Keyhub.Core.Certificates;
using Keyhub.Core.Keys;
using Keyhub.Server.Tests.Dev;
using Keyhub.Server.Tests.Infrastructure;
using static Keyhub.Server.Tests.Commands.CommandLine;

namespace Keyhub.Server.Tests.Commands;

/// <summary>
/// The workload CA from the real <c>keyhub</c> executable against a dev-mode Keyhub, as the dev admin (the
/// deployment Owner, whose profile is dev mode's credentials.json) and as a data-only principal.
/// </summary>
public sealed class CaCommandTests
{
    [Fact]
    public async Task Owner_sets_certificate_names_fetches_the_chain_and_revokes_with_the_command_line()
    {
        await using var server = await KeyhubTestServer.StartAsync();
        var owner = DevFiles.CredentialsPath(server.DataDirectory);
        var chainFile = Path.Combine(server.DataDirectory, "workload-ca.pem");

        var vault = await Json(owner, "vault", "update", "hub", "--cert-dns-suffix", "payments.internal", "--cert-dns-suffix", "Api.Example", "--cert-ip-range", "10.1.0.0/16");
        Assert.Equal(["payments.internal", "api.example"], vault["certDnsSuffixes"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("10.1.0.0/16", vault["certIpRanges"]![0]!.GetValue<string>());
        // Giving only the DNS list leaves the ranges as they are; an empty value clears a list.
        vault = await Json(owner, "vault", "update", "hub", "--cert-dns-suffix", "");
        Assert.Empty(vault["certDnsSuffixes"]!.AsArray());
        Assert.Equal("10.1.0.0/16", vault["certIpRanges"]![0]!.GetValue<string>());
        await Refused("400", "vault", "update", "hub", "--cert-ip-range", "10.1.2.3/16", "--profile", owner);

        var printed = await Ok("ca", "get", "--profile", owner);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(printed.Output);
        Assert.Equal(2, chain.Count);
        Assert.StartsWith("CN=Keyhub Workload Root CA", chain[1].Subject, StringComparison.Ordinal);
        await Ok("ca", "get", "--out", chainFile, "--profile", owner);
        Assert.Equal(printed.Output.Trim(), (await File.ReadAllTextAsync(chainFile)).Trim());

        var serial = await IssueAsync(server);
        await Refused("403", "ca", "revoke", serial, "--profile", await DataOnlyProfileAsync(server));
        var revoked = await Json(owner, "ca", "revoke", serial);
        Assert.True(revoked["revoked"]!.GetValue<bool>());
        await Refused("404", "ca", "revoke", "7f00ff", "--profile", owner);
        using var http = server.HttpClient();
        var crl = await http.GetByteArrayAsync(new Uri("/keyhub/v1/ca/crl", UriKind.Relative));
        Assert.True(CertificateRevocationListBuilder.Load(crl, out _).RemoveEntry(Convert.FromHexString(serial)));

        var rotated = await Json(owner, "ca", "rotate");
        Assert.NotEqual(chain[0].SerialNumber.ToLowerInvariant(), rotated["value"]![0]!["serialNumber"]!.GetValue<string>());
    }

    private static async Task<string> IssueAsync(KeyhubTestServer server)
    {
        var vault = (await server.Server.Runtime.Vaults.GetAsync("hub", CancellationToken.None))! with { CertDnsSuffixes = ["payments.internal"] };
        var x509 = new CertificateX509Properties
        {
            Subject = "CN=cli.payments.internal",
            DnsNames = ["cli.payments.internal"],
            Ekus = CertificatePolicyRules.DefaultEkus,
        };
        var (leaf, _) = await server.Server.Runtime.Ca.IssueAsync(vault, x509, KeyFactory.Generate(KeyTypes.Ec, null, null, Curves.P256), CancellationToken.None);
        using var certificate = X509CertificateLoader.LoadCertificate(leaf);
        return certificate.SerialNumber;
    }

    /// <summary>A profile for a new principal holding Key Vault Secrets Officer on the hub and nothing else.</summary>
    private static async Task<string> DataOnlyProfileAsync(KeyhubTestServer server)
    {
        var (clientId, secret, _) = await server.AddPrincipalAsync("ca-cli-officer", BuiltInRoles.SecretsOfficer);
        var profile = JsonNode.Parse(await File.ReadAllTextAsync(DevFiles.CredentialsPath(server.DataDirectory)))!;
        profile["clientId"] = clientId;
        profile["clientSecret"] = secret;
        var path = Path.Combine(server.DataDirectory, "officer.json");
        await File.WriteAllTextAsync(path, profile.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
