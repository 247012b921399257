using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyhub.Core.Ca;
using Keyhub.Core.Certificates;
using Keyhub.Core.Errors;
using Keyhub.Core.Identity;
using Keyhub.Core.Keys;
using Keyhub.Core.Storage;
using Keyhub.Core.Tests.Support;
using Keyhub.Core.Vaults;
using Org.BouncyCastle.X509;

namespace Keyhub.Core.Tests.Ca;

/// <summary>One CA for the tests that neither rotate it nor move its clock.</summary>
public sealed class WorkloadCaFixture : IAsyncLifetime
{
    public const string TenantId = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b";

    private TestDeployment? _deployment;

    internal TestDeployment Deployment => _deployment ?? throw new InvalidOperationException("Not started.");

    public WorkloadCa Ca { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _deployment = await TestDeployment.StartAsync();
        await new DeploymentStore(Deployment.Store, Deployment.Seal, Deployment.Time).EnsureAsync(TenantId, CancellationToken.None);
        Ca = new WorkloadCa(Deployment.Store, Deployment.Seal, Deployment.Time);
        await Ca.EnsureAsync(CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _deployment?.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class WorkloadCaTests(WorkloadCaFixture fixture) : IClassFixture<WorkloadCaFixture>
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";

    private static readonly VaultProperties Spoke = new()
    {
        Name = "spoke-payments",
        CertDnsSuffixes = ["payments.internal"],
        CertIpRanges = ["10.1.0.0/16"],
    };

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task An_issued_certificate_chains_to_the_workload_root_alone()
    {
        var (leafDer, chain) = await fixture.Ca.IssueAsync(Spoke, X509("api.payments.internal"), NewKey(), Ct);

        Assert.Equal(2, chain.Count);
        using var leaf = X509CertificateLoader.LoadCertificate(leafDer);
        Assert.True(Validates(leaf, chain[0], chain[1], fixture.Deployment.Time.GetUtcNow(), out var status), string.Join("; ", status.Select(s => s.StatusInformation)));

        // The same leaf does not validate against another deployment's workload root.
        using var other = await TestDeployment.StartAsync();
        var otherChain = await new WorkloadCa(other.Store, other.Seal, other.Time).ChainAsync(Ct);
        Assert.False(Validates(leaf, chain[0], otherChain[1], fixture.Deployment.Time.GetUtcNow(), out _));
    }

    [Fact]
    public async Task The_root_is_a_P384_CA_named_for_the_deployment_and_the_intermediate_may_sign_only_leaves()
    {
        var chain = await fixture.Ca.ChainAsync(Ct);
        using var intermediate = X509CertificateLoader.LoadCertificate(chain[0]);
        using var root = X509CertificateLoader.LoadCertificate(chain[1]);

        Assert.Equal(root.Subject, root.Issuer);
        Assert.Contains($"CN=Keyhub Workload Root CA {WorkloadCaFixture.TenantId}", root.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain("Dev CA", root.Subject, StringComparison.Ordinal);
        Assert.Equal(384, root.GetECDsaPublicKey()!.KeySize);
        Assert.True(root.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        var constraints = intermediate.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.HasPathLengthConstraint);
        Assert.Equal(0, constraints.PathLengthConstraint);
        Assert.Equal(root.Subject, intermediate.Issuer);
        Assert.True(intermediate.NotAfter <= root.NotAfter);
        Assert.InRange(root.NotAfter - intermediate.NotAfter, TimeSpan.FromDays(365 * 7), TimeSpan.FromDays(365 * 9));
        Assert.False(root.HasPrivateKey);
    }

    [Fact]
    public async Task The_leaf_carries_the_requested_names_and_purposes_and_is_not_a_CA()
    {
        var x509 = X509("api.payments.internal", "*.api.payments.internal") with { IpAddresses = ["10.1.2.3"] };
        var (leafDer, chain) = await fixture.Ca.IssueAsync(Spoke, x509, NewKey(), Ct);

        using var leaf = X509CertificateLoader.LoadCertificate(leafDer);
        using var intermediate = X509CertificateLoader.LoadCertificate(chain[0]);
        Assert.Equal(intermediate.Subject, leaf.Issuer);
        Assert.Equal("CN=api.payments.internal", leaf.Subject);
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(ServerAuth, leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages[0].Value);
        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["api.payments.internal", "*.api.payments.internal"], san.EnumerateDnsNames());
        Assert.Equal("10.1.2.3", Assert.Single(san.EnumerateIPAddresses()).ToString());
        Assert.True(leaf.MatchesHostname("x.api.payments.internal"));
        Assert.Equal(
            intermediate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray(),
            leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.ToArray());
    }

    [Fact]
    public async Task An_RSA_subject_key_is_certified_too()
    {
        var (leafDer, chain) = await fixture.Ca.IssueAsync(Spoke, X509("rsa.payments.internal"), KeyFactory.Generate(KeyTypes.Rsa, 2048, null, null), Ct);

        using var leaf = X509CertificateLoader.LoadCertificate(leafDer);
        Assert.NotNull(leaf.GetRSAPublicKey());
        Assert.True(Validates(leaf, chain[0], chain[1], fixture.Deployment.Time.GetUtcNow(), out _));
    }

    [Fact]
    public async Task A_lifetime_beyond_the_intermediate_ends_with_the_intermediate()
    {
        var (leafDer, chain) = await fixture.Ca.IssueAsync(Spoke, X509("long.payments.internal") with { ValidityMonths = 120 }, NewKey(), Ct);

        using var leaf = X509CertificateLoader.LoadCertificate(leafDer);
        using var intermediate = X509CertificateLoader.LoadCertificate(chain[0]);
        Assert.Equal(intermediate.NotAfter, leaf.NotAfter);
        Assert.True(leaf.NotBefore >= intermediate.NotBefore);
    }

    [Theory]
    [InlineData("CN=api", "api.hub.internal", null, "api.hub.internal")]
    [InlineData("CN=api", "*.internal", null, "*.internal")]
    [InlineData("CN=api.hub.internal", null, null, "api.hub.internal")]
    [InlineData("CN=api", null, "10.2.0.1", "10.2.0.1")]
    public async Task A_name_outside_the_vaults_allow_list_is_refused_and_nothing_is_recorded(string subject, string? dns, string? ip, string refused)
    {
        var before = await IssuedSerialsAsync();
        var x509 = new CertificateX509Properties
        {
            Subject = subject,
            DnsNames = dns is null ? [] : [dns],
            IpAddresses = ip is null ? [] : [ip],
            Ekus = [ServerAuth],
        };

        var error = await Assert.ThrowsAsync<KeyhubException>(() => fixture.Ca.IssueAsync(Spoke, x509, NewKey(), Ct));

        Assert.Equal(400, error.Status);
        Assert.Equal("BadParameter", error.Code);
        Assert.Contains(refused, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await IssuedSerialsAsync());
    }

    [Fact]
    public async Task An_email_name_is_refused_and_a_vault_without_an_allow_list_gets_no_name()
    {
        var email = await Assert.ThrowsAsync<KeyhubException>(() =>
            fixture.Ca.IssueAsync(Spoke, X509("api.payments.internal") with { Emails = ["ops@payments.internal"] }, NewKey(), Ct));
        Assert.Equal(400, email.Status);

        var bare = new VaultProperties { Name = "hub" };
        var error = await Assert.ThrowsAsync<KeyhubException>(() => fixture.Ca.IssueAsync(bare, X509("api.payments.internal"), NewKey(), Ct));
        Assert.Equal(400, error.Status);
        Assert.Contains("api.payments.internal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serial_numbers_are_16_random_positive_bytes_distinct_and_recorded()
    {
        var serials = new List<byte[]>();
        for (var i = 0; i < 50; i++)
        {
            var (leafDer, _) = await fixture.Ca.IssueAsync(Spoke, X509($"s{i}.payments.internal"), NewKey(), Ct);
            using var leaf = X509CertificateLoader.LoadCertificate(leafDer);
            serials.Add(leaf.SerialNumberBytes.ToArray());
        }

        Assert.All(serials, s => Assert.Equal(16, s.Length));
        Assert.All(serials, s => Assert.True((s[0] & 0x80) == 0 && s[0] != 0, "positive, minimally encoded"));
        Assert.Equal(50, serials.Select(Convert.ToHexString).Distinct(StringComparer.Ordinal).Count());
        var recorded = await IssuedSerialsAsync();
        Assert.All(serials, s => Assert.Contains(Convert.ToHexStringLower(s), recorded));
        // Not a counter: the high bits of consecutive serials differ.
        Assert.True(serials.Select(s => s[1]).Distinct().Count() > 10);
    }

    [Fact]
    public async Task A_revoked_serial_is_listed_in_a_CRL_signed_by_the_intermediate()
    {
        var (leafDer, chain) = await fixture.Ca.IssueAsync(Spoke, X509("revoked.payments.internal"), NewKey(), Ct);
        using var leaf = X509CertificateLoader.LoadCertificate(leafDer);
        var before = await fixture.Ca.CrlAsync(Ct);

        await fixture.Ca.RevokeAsync(leaf.SerialNumber, Ct);
        var crl = await fixture.Ca.CrlAsync(Ct);

        var loaded = CertificateRevocationListBuilder.Load(crl, out var number);
        CertificateRevocationListBuilder.Load(before, out var numberBefore);
        Assert.True(number > numberBefore);
        Assert.NotNull(loaded);
        var parsed = new X509CrlParser().ReadCrl(crl);
        var intermediate = new X509CertificateParser().ReadCertificate(chain[0]);
        parsed.Verify(intermediate.GetPublicKey());
        Assert.Equal(intermediate.SubjectDN, parsed.IssuerDN);
        Assert.True(parsed.IsRevoked(new X509CertificateParser().ReadCertificate(leafDer)));
        Assert.Equal(TimeSpan.FromDays(7), parsed.NextUpdate!.Value - parsed.ThisUpdate);
        var root = new X509CertificateParser().ReadCertificate(chain[1]);
        Assert.ThrowsAny<Exception>(() => parsed.Verify(root.GetPublicKey()));
    }

    [Fact]
    public async Task Revoking_is_idempotent_accepts_openssl_spelling_and_refuses_unknown_serials()
    {
        var (leafDer, _) = await fixture.Ca.IssueAsync(Spoke, X509("twice.payments.internal"), NewKey(), Ct);
        using var leaf = X509CertificateLoader.LoadCertificate(leafDer);
        var colons = string.Join(':', Convert.ToHexString(leaf.SerialNumberBytes.Span).Chunk(2).Select(c => new string(c)));

        await fixture.Ca.RevokeAsync(colons, Ct);
        var first = await fixture.Ca.CrlAsync(Ct);
        await fixture.Ca.RevokeAsync(leaf.SerialNumber.ToLowerInvariant(), Ct);

        Assert.Equal(first, await fixture.Ca.CrlAsync(Ct));
        var unknown = await Assert.ThrowsAsync<KeyhubException>(() => fixture.Ca.RevokeAsync(Convert.ToHexString(CertificateBuilder.NewSerialNumber()), Ct));
        Assert.Equal(404, unknown.Status);
        Assert.Equal("CertificateNotFound", unknown.Code);
        var intermediateSerial = X509CertificateLoader.LoadCertificate((await fixture.Ca.ChainAsync(Ct))[0]).SerialNumber;
        Assert.Equal(404, (await Assert.ThrowsAsync<KeyhubException>(() => fixture.Ca.RevokeAsync(intermediateSerial, Ct))).Status);
        Assert.Equal(400, (await Assert.ThrowsAsync<KeyhubException>(() => fixture.Ca.RevokeAsync("not-hex", Ct))).Status);
    }

    [Fact]
    public async Task Ensure_is_idempotent_and_races_settle_on_one_root()
    {
        using var deployment = await TestDeployment.StartAsync();
        var instances = Enumerable.Range(0, 5).Select(_ => new WorkloadCa(deployment.Store, deployment.Seal, deployment.Time)).ToList();

        await Task.WhenAll(instances.Select(ca => Task.Run(() => ca.EnsureAsync(Ct))));
        var chains = await Task.WhenAll(instances.Select(ca => ca.ChainAsync(Ct)));

        Assert.All(chains, c => Assert.Equal(chains[0][1], c[1]));
        Assert.All(chains, c => Assert.Equal(chains[0][0], c[0]));
        var ca = await deployment.Store.ListAsync(new RecordQuery(SystemVault.Name, "ca"), Ct);
        Assert.Single(ca, r => r.Key.Name.EndsWith("-key", StringComparison.Ordinal) && r.Key.Name.StartsWith("intermediate-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_a_rotation_old_certificates_still_chain_new_ones_use_the_new_intermediate_and_the_old_key_is_gone()
    {
        using var deployment = await TestDeployment.StartAsync();
        var ca = new WorkloadCa(deployment.Store, deployment.Seal, deployment.Time);
        var (oldLeafDer, oldChain) = await ca.IssueAsync(Spoke, X509("old.payments.internal"), NewKey(), Ct);
        var (revokedDer, _) = await ca.IssueAsync(Spoke, X509("gone.payments.internal"), NewKey(), Ct);
        using var revoked = X509CertificateLoader.LoadCertificate(revokedDer);
        await ca.RevokeAsync(revoked.SerialNumber, Ct);
        using var oldIntermediate = X509CertificateLoader.LoadCertificate(oldChain[0]);

        await ca.RotateIntermediateAsync(Ct);

        var newChain = await ca.ChainAsync(Ct);
        Assert.NotEqual(oldChain[0], newChain[0]);
        Assert.Equal(oldChain[1], newChain[1]);
        var now = deployment.Time.GetUtcNow();
        using var oldLeaf = X509CertificateLoader.LoadCertificate(oldLeafDer);
        Assert.True(Validates(oldLeaf, oldChain[0], newChain[1], now, out _), "a certificate keeps validating with the chain it was issued with");
        var (newLeafDer, issuedChain) = await ca.IssueAsync(Spoke, X509("new.payments.internal"), NewKey(), Ct);
        Assert.Equal(newChain[0], issuedChain[0]);
        using var newLeaf = X509CertificateLoader.LoadCertificate(newLeafDer);
        Assert.True(Validates(newLeaf, newChain[0], newChain[1], now, out _));
        Assert.False(Validates(newLeaf, oldChain[0], newChain[1], now, out _));

        Assert.Null(await deployment.Store.GetAsync(new RecordKey(SystemVault.Name, "ca", $"intermediate-{oldIntermediate.SerialNumber.ToLowerInvariant()}-key", ""), Ct));
        Assert.NotNull(await deployment.Store.GetAsync(new RecordKey(SystemVault.Name, "ca", $"intermediate-{oldIntermediate.SerialNumber.ToLowerInvariant()}", ""), Ct));

        // The CRL is now signed by the new intermediate and still lists what the old one issued and was revoked.
        var crl = new X509CrlParser().ReadCrl(await ca.CrlAsync(Ct));
        crl.Verify(new X509CertificateParser().ReadCertificate(newChain[0]).GetPublicKey());
        Assert.True(crl.IsRevoked(new X509CertificateParser().ReadCertificate(revokedDer)));
        await ca.RevokeAsync(oldLeaf.SerialNumber, Ct);
        Assert.True(new X509CrlParser().ReadCrl(await ca.CrlAsync(Ct)).IsRevoked(new X509CertificateParser().ReadCertificate(oldLeafDer)));
    }

    [Fact]
    public async Task An_intermediate_near_its_end_is_replaced_before_it_issues()
    {
        using var deployment = await TestDeployment.StartAsync();
        var ca = new WorkloadCa(deployment.Store, deployment.Seal, deployment.Time);
        var first = await ca.ChainAsync(Ct);
        using var firstIntermediate = X509CertificateLoader.LoadCertificate(first[0]);

        deployment.Time.SetUtcNow(new DateTimeOffset(firstIntermediate.NotAfter.ToUniversalTime()) - TimeSpan.FromDays(60));
        var (leafDer, chain) = await ca.IssueAsync(Spoke, X509("late.payments.internal"), NewKey(), Ct);

        Assert.NotEqual(first[0], chain[0]);
        using var leaf = X509CertificateLoader.LoadCertificate(leafDer);
        Assert.True(leaf.NotAfter > firstIntermediate.NotAfter);
        Assert.Equal(chain[0], (await ca.ChainAsync(Ct))[0]);
    }

    [Fact]
    public async Task The_CRL_is_reused_until_a_day_passes_and_drops_revoked_certificates_once_they_expire()
    {
        using var deployment = await TestDeployment.StartAsync();
        var ca = new WorkloadCa(deployment.Store, deployment.Seal, deployment.Time);
        var (leafDer, _) = await ca.IssueAsync(Spoke, X509("short.payments.internal") with { ValidityMonths = 1 }, NewKey(), Ct);
        using var leaf = X509CertificateLoader.LoadCertificate(leafDer);
        await ca.RevokeAsync(leaf.SerialNumber, Ct);

        var first = await ca.CrlAsync(Ct);
        deployment.Time.Advance(TimeSpan.FromHours(23));
        Assert.Equal(first, await ca.CrlAsync(Ct));
        deployment.Time.Advance(TimeSpan.FromHours(2));
        var refreshed = await ca.CrlAsync(Ct);
        Assert.NotEqual(first, refreshed);
        var listed = CertificateRevocationListBuilder.Load(refreshed, out var refreshedNumber);
        Assert.True(listed.RemoveEntry(leaf.SerialNumberBytes.Span), "listed while the certificate is still valid");
        CertificateRevocationListBuilder.Load(first, out var firstNumber);
        Assert.True(refreshedNumber > firstNumber);

        deployment.Time.Advance(TimeSpan.FromDays(40));
        var later = new X509CrlParser().ReadCrl(await ca.CrlAsync(Ct));
        Assert.Null(later.GetRevokedCertificates());
    }

    [Fact]
    public async Task CA_keys_are_stored_only_encrypted()
    {
        using var deployment = await TestDeployment.StartAsync();
        var ca = new WorkloadCa(deployment.Store, deployment.Seal, deployment.Time);
        await ca.IssueAsync(Spoke, X509("api.payments.internal"), NewKey(), Ct);

        var records = await deployment.Store.ListAsync(new RecordQuery(SystemVault.Name, "ca") { Limit = 100 }, Ct);
        var keys = records.Where(r => r.Key.Name.EndsWith("key", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, keys.Count);
        foreach (var keyRecord in keys)
        {
            var pkcs8 = SealedJson.Decrypt<CaKey>(deployment.Seal.Barrier, keyRecord).Pkcs8;
            using var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            var d = key.ExportParameters(true).D!;
            foreach (var record in records)
            {
                Assert.Equal(-1, record.Payload.AsSpan().IndexOf(d));
                Assert.Equal(-1, record.Payload.AsSpan().IndexOf(pkcs8));
                Assert.Equal(-1, record.Payload.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(d))));
            }
        }
    }

    private static bool Validates(X509Certificate2 leaf, byte[] intermediate, byte[] root, DateTimeOffset at, out X509ChainStatus[] status)
    {
        using var chain = new X509Chain();
        using var intermediateCertificate = X509CertificateLoader.LoadCertificate(intermediate);
        using var rootCertificate = X509CertificateLoader.LoadCertificate(root);
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(rootCertificate);
        chain.ChainPolicy.ExtraStore.Add(intermediateCertificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuth));
        var ok = chain.Build(leaf);
        status = chain.ChainStatus;
        return ok;
    }

    private async Task<HashSet<string>> IssuedSerialsAsync()
    {
        var serials = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var record in fixture.Deployment.Store.ListAllAsync(new RecordQuery(SystemVault.Name, "ca-issued"), Ct))
        {
            serials.Add(record.Key.Name);
        }
        return serials;
    }

    private static KeyMaterial NewKey() => KeyFactory.Generate(KeyTypes.Ec, null, null, Curves.P256);

    private static CertificateX509Properties X509(params string[] dnsNames) => new()
    {
        Subject = $"CN={dnsNames[0]}",
        DnsNames = dnsNames,
        Ekus = [ServerAuth],
        KeyUsage = ["digitalSignature"],
        ValidityMonths = 12,
    };
}
