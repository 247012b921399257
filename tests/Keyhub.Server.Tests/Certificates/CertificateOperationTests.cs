using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Security.KeyVault.Certificates;
using static Keyhub.Server.Tests.Certificates.CertificateKit;

namespace Keyhub.Server.Tests.Certificates;

/// <summary>
/// The pending operation of a certificate whose issuer is outside Keyhub (<c>Unknown</c>): the CSR, the
/// disabled placeholder version, merge of what an outside CA signed (leaf first, with its chain), cancel,
/// delete, the 409 for a second create or import, and the refusals that leave the operation as it was.
/// </summary>
[Collection(CertificatesServerCollection.Name)]
public sealed class CertificateOperationTests(CertificatesServer fixture)
{
    private CertificateClient Admin => fixture.Admin;

    [Fact]
    public async Task An_Unknown_issuer_create_returns_a_CSR_that_an_outside_CA_signs_and_the_merge_completes_the_poller()
    {
        var name = UniqueName("merge");
        var policy = new CertificatePolicy(WellKnownIssuerNames.Unknown, "CN=merge.payments.internal", new SubjectAlternativeNames { DnsNames = { "merge.payments.internal" } })
        {
            ContentType = CertificateContentType.Pkcs12,
        };
        var operation = await Admin.StartCreateCertificateAsync(name, policy, tags: new Dictionary<string, string> { ["origin"] = "outside-ca" }, cancellationToken: CancellationToken.None);

        Assert.Equal("inProgress", operation.Properties.Status);
        Assert.Contains("Please Perform Merge", operation.Properties.StatusDetails, StringComparison.Ordinal);
        Assert.Equal(WellKnownIssuerNames.Unknown, operation.Properties.IssuerName);
        var csr = CertificateRequest.LoadSigningRequest(operation.Properties.Csr, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        Assert.Equal("CN=merge.payments.internal", csr.SubjectName.Name);
        Assert.Contains(csr.CertificateExtensions, e => e is X509SubjectAlternativeNameExtension san && san.EnumerateDnsNames().SequenceEqual(["merge.payments.internal"]));
        Assert.Contains(csr.CertificateExtensions, e => e is X509KeyUsageExtension { Critical: true });

        // While it waits: the latest is a disabled version without certificate, and the operation reads back.
        var placeholder = (await Admin.GetCertificateAsync(name)).Value;
        Assert.False(placeholder.Properties.Enabled);
        Assert.Null(placeholder.Properties.Version);
        Assert.True(placeholder.Cer is null || placeholder.Cer.Length == 0);
        Assert.Equal("CN=merge.payments.internal", placeholder.Policy.Subject);
        var reread = await Admin.GetCertificateOperationAsync(name);
        Assert.Equal("inProgress", reread.Properties.Status);
        Assert.Equal(operation.Properties.Csr, reread.Properties.Csr);
        await operation.UpdateStatusAsync();
        Assert.False(operation.HasCompleted);

        var signed = fixture.OutsideCa.SignRequest(operation.Properties.Csr, TimeSpan.FromDays(90));
        var merged = (await Admin.MergeCertificateAsync(new MergeCertificateOptions(name, [signed, fixture.OutsideCa.Certificate.RawData]))).Value;

        Assert.Equal(signed, merged.Cer);
        Assert.Matches("^[0-9a-f]{32}$", merged.Properties.Version);
        Assert.Equal("outside-ca", merged.Properties.Tags["origin"]);
        Assert.True(merged.Properties.Enabled);
        var completed = (await operation.WaitForCompletionAsync()).Value;
        Assert.Equal(signed, completed.Cer);
        Assert.Equal("completed", (await Admin.GetCertificateOperationAsync(name)).Properties.Status);

        // The key behind the CSR is the certificate's key: it downloads with it, and the secret carries the outside chain.
        using var downloaded = (await Admin.DownloadCertificateAsync(name)).Value;
        Assert.True(downloaded.HasPrivateKey);
        Assert.Equal(csr.PublicKey.ExportSubjectPublicKeyInfo(), downloaded.PublicKey.ExportSubjectPublicKeyInfo());
        using var rsa = downloaded.GetRSAPrivateKey()!;
        var digest = SHA256.HashData("merged"u8);
        Assert.True(Verifies(signed, digest, rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), HashAlgorithmName.SHA256));
        var secret = (await fixture.Server.SecretClient().GetSecretAsync(name)).Value;
        var bundle = X509CertificateLoader.LoadPkcs12Collection(Convert.FromBase64String(secret.Value), null);
        Assert.Contains(bundle, c => c.RawData.SequenceEqual(fixture.OutsideCa.Certificate.RawData));
        foreach (var c in bundle)
        {
            c.Dispose();
        }
    }

    [Fact]
    public async Task While_an_operation_is_in_progress_a_second_create_or_an_import_is_a_409_and_changes_nothing()
    {
        var name = UniqueName("busy");
        var first = await Admin.StartCreateCertificateAsync(name, new CertificatePolicy(WellKnownIssuerNames.Unknown, "CN=busy.payments.internal"));

        var error = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => Admin.StartCreateCertificateAsync(name, SelfPolicy("CN=other.payments.internal")));
        Assert.Equal(409, error.Status);
        Assert.Contains("inProgress", Body(error).GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        using var key = RSA.Create(2048);
        using var leaf = fixture.OutsideCa.IssueLeaf("CN=imported.payments.internal", key, TimeSpan.FromDays(30));
        var import = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => Admin.ImportCertificateAsync(new ImportCertificateOptions(name, leaf.Export(X509ContentType.Pkcs12))));
        Assert.Equal(409, import.Status);

        var still = await Admin.GetCertificateOperationAsync(name);
        Assert.Equal("inProgress", still.Properties.Status);
        Assert.Equal(first.Properties.RequestId, still.Properties.RequestId);
        Assert.Equal(first.Properties.Csr, still.Properties.Csr);
        Assert.Equal("CN=busy.payments.internal", (await Admin.GetCertificatePolicyAsync(name)).Value.Subject);
    }

    [Fact]
    public async Task A_merge_with_a_certificate_for_another_key_is_a_400_and_the_operation_still_takes_the_right_one()
    {
        var name = UniqueName("mismatch");
        var operation = await Admin.StartCreateCertificateAsync(name, new CertificatePolicy(WellKnownIssuerNames.Unknown, "CN=mismatch.payments.internal"));
        using var otherKey = RSA.Create(2048);
        using var wrong = fixture.OutsideCa.IssueLeaf("CN=mismatch.payments.internal", otherKey, TimeSpan.FromDays(30));

        var error = await FailsWith(400, "BadParameter", () => Admin.MergeCertificateAsync(new MergeCertificateOptions(name, [wrong.RawData])));
        Assert.Contains("Public key", error.Message, StringComparison.Ordinal);
        await FailsWith(400, "BadParameter", () => Admin.MergeCertificateAsync(new MergeCertificateOptions(name, [RandomNumberGenerator.GetBytes(200)])));

        var still = await Admin.GetCertificateOperationAsync(name);
        Assert.Equal("inProgress", still.Properties.Status);
        Assert.Equal(operation.Properties.Csr, still.Properties.Csr);
        Assert.False((await Admin.GetCertificateAsync(name)).Value.Properties.Enabled);
        Assert.Empty(await Admin.GetPropertiesOfCertificateVersionsAsync(name).ToListAsync());

        var signed = fixture.OutsideCa.SignRequest(operation.Properties.Csr, TimeSpan.FromDays(30));
        Assert.Equal(signed, (await Admin.MergeCertificateAsync(new MergeCertificateOptions(name, [signed]))).Value.Cer);
        // Nothing waits any more: a second merge is refused.
        await Assert.ThrowsAsync<Azure.RequestFailedException>(() => Admin.MergeCertificateAsync(new MergeCertificateOptions(name, [signed])));
    }

    [Fact]
    public async Task A_merge_onto_an_issued_certificate_adds_a_version_and_the_previous_one_stays_latest_until_then()
    {
        var name = UniqueName("remerge");
        var issued = await Admin.CreateAsync(name, new CertificatePolicy(WellKnownIssuerNames.Self, "CN=remerge.payments.internal"));
        var operation = await Admin.StartCreateCertificateAsync(name, new CertificatePolicy(WellKnownIssuerNames.Unknown, "CN=remerge.payments.internal"));

        var latest = (await Admin.GetCertificateAsync(name)).Value;
        Assert.Equal(issued.Properties.Version, latest.Properties.Version);
        Assert.True(latest.Properties.Enabled);
        using (var downloaded = (await Admin.DownloadCertificateAsync(name)).Value)
        {
            Assert.Equal(issued.Cer, downloaded.RawData);
        }

        var signed = fixture.OutsideCa.SignRequest(operation.Properties.Csr, TimeSpan.FromDays(30));
        var merged = (await Admin.MergeCertificateAsync(new MergeCertificateOptions(name, [signed]))).Value;
        Assert.NotEqual(issued.Properties.Version, merged.Properties.Version);
        Assert.Equal(merged.Properties.Version, (await Admin.GetCertificateAsync(name)).Value.Properties.Version);
        Assert.Equal(2, (await Admin.GetPropertiesOfCertificateVersionsAsync(name).ToListAsync()).Count);
        Assert.Equal(issued.Cer, (await Admin.GetCertificateVersionAsync(name, issued.Properties.Version)).Value.Cer);
    }

    [Fact]
    public async Task Cancelling_ends_the_operation_as_cancelled_and_a_new_create_may_follow()
    {
        var name = UniqueName("cancel");
        var operation = await Admin.StartCreateCertificateAsync(name, new CertificatePolicy(WellKnownIssuerNames.Unknown, "CN=cancel.payments.internal"));

        await operation.CancelAsync();
        Assert.True(operation.Properties.CancellationRequested);
        await operation.UpdateStatusAsync();
        Assert.True(operation.HasCompleted);
        Assert.Equal("cancelled", operation.Properties.Status);
        Assert.ThrowsAny<OperationCanceledException>(() => operation.Value);
        var reread = await Admin.GetCertificateOperationAsync(name);
        Assert.Equal("cancelled", reread.Properties.Status);
        Assert.True(reread.Properties.CancellationRequested);

        // Nothing left to cancel or merge.
        await FailsWith(400, "BadParameter", () => operation.CancelAsync());
        var signed = fixture.OutsideCa.SignRequest(operation.Properties.Csr, TimeSpan.FromDays(30));
        await Assert.ThrowsAsync<Azure.RequestFailedException>(() => Admin.MergeCertificateAsync(new MergeCertificateOptions(name, [signed])));

        var created = await Admin.CreateAsync(name, SelfPolicy("CN=cancel.payments.internal"));
        Assert.Equal(created.Properties.Version, (await Admin.GetCertificateAsync(name)).Value.Properties.Version);
    }

    [Fact]
    public async Task Deleting_the_operation_removes_it_and_the_name_takes_a_new_create()
    {
        var name = UniqueName("drop-op");
        var operation = await Admin.StartCreateCertificateAsync(name, new CertificatePolicy(WellKnownIssuerNames.Unknown, "CN=drop.payments.internal"));

        await operation.DeleteAsync();

        await FailsWith(404, "PendingCertificateNotFound", () => Admin.GetCertificateOperationAsync(name));
        var signed = fixture.OutsideCa.SignRequest(operation.Properties.Csr, TimeSpan.FromDays(30));
        await FailsWith(404, "PendingCertificateNotFound", () => Admin.MergeCertificateAsync(new MergeCertificateOptions(name, [signed])));
        await FailsWith(404, "CertificateNotFound", () => Admin.GetCertificateAsync(name));
        var created = await Admin.CreateAsync(name, SelfPolicy("CN=drop.payments.internal"));
        Assert.Single(await Admin.GetPropertiesOfCertificateVersionsAsync(name).ToListAsync());
        Assert.NotNull(created.Cer);
    }

    [Fact]
    public async Task An_issuer_Keyhub_cannot_reach_fails_the_operation_with_an_error_the_poller_reports()
    {
        var issuer = UniqueName("digicert");
        await Admin.CreateIssuerAsync(new CertificateIssuer(issuer, "DigiCert") { AccountId = "acct-1", Password = "not-used" });
        var name = UniqueName("unreachable");

        var operation = await Admin.StartCreateCertificateAsync(name, new CertificatePolicy(issuer, "CN=unreachable.payments.internal"));

        await Assert.ThrowsAnyAsync<InvalidOperationException>(async () => await operation.WaitForCompletionAsync());
        Assert.True(operation.HasCompleted);
        Assert.Equal("failed", operation.Properties.Status);
        Assert.NotNull(operation.Properties.Error);
        Assert.Contains("DigiCert", operation.Properties.Error.Message, StringComparison.Ordinal);
        // A failed first create leaves no version, but the (disabled) certificate and its operation read back.
        Assert.Empty(await Admin.GetPropertiesOfCertificateVersionsAsync(name).ToListAsync());
        Assert.False((await Admin.GetCertificateAsync(name)).Value.Properties.Enabled);
        Assert.Equal("failed", (await Admin.GetCertificateOperationAsync(name)).Properties.Status);
    }

    [Fact]
    public async Task A_create_naming_an_issuer_that_does_not_exist_is_refused_and_the_stored_policy_stays()
    {
        var name = UniqueName("no-issuer");
        var issued = await Admin.CreateAsync(name, SelfPolicy("CN=kept.payments.internal"));

        var error = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => Admin.StartCreateCertificateAsync(name, new CertificatePolicy("no-such-issuer", "CN=changed.payments.internal")));
        Assert.InRange(error.Status, 400, 499);

        var policy = (await Admin.GetCertificatePolicyAsync(name)).Value;
        Assert.Equal(WellKnownIssuerNames.Self, policy.IssuerName);
        Assert.Equal("CN=kept.payments.internal", policy.Subject);
        Assert.Equal(issued.Properties.Version, (await Admin.GetCertificateAsync(name)).Value.Properties.Version);
    }
}
