using System.Security.Cryptography;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using static Keyhub.Server.Tests.Certificates.CertificateKit;

namespace Keyhub.Server.Tests.Certificates;

/// <summary>
/// The versioned life of a certificate through the official .NET CertificateClient: create with the poller,
/// read latest and by version, list, update properties (the managed key and secret follow), policy, delete,
/// recover, purge, backup and restore (after a purge and into another vault).
/// </summary>
[Collection(CertificatesServerCollection.Name)]
public sealed class CertificateLifecycleTests(CertificatesServer fixture)
{
    private CertificateClient Admin => fixture.Admin;

    [Fact]
    public async Task A_self_signed_create_completes_through_the_poller_and_reads_back_latest_and_by_version()
    {
        var name = UniqueName("lifecycle");
        var policy = SelfPolicy("CN=billing.payments.internal");
        policy.ValidityInMonths = 6;
        var before = DateTimeOffset.UtcNow;

        var operation = await Admin.StartCreateCertificateAsync(name, policy, enabled: true, tags: new Dictionary<string, string> { ["team"] = "payments" }, cancellationToken: CancellationToken.None);
        Assert.Equal("Self", operation.Properties.IssuerName);
        Assert.NotEmpty(operation.Properties.Csr);
        Assert.Matches("^[0-9a-f]{32}$", operation.Properties.RequestId);
        var created = (await operation.WaitForCompletionAsync()).Value;
        Assert.True(operation.HasCompleted);

        Assert.Equal(name, created.Name);
        var version = created.Properties.Version;
        Assert.Matches("^[0-9a-f]{32}$", version);
        Assert.Equal(new Uri(fixture.Server.VaultUri, $"/certificates/{name}/{version}"), created.Id);
        Assert.Equal(new Uri(fixture.Server.VaultUri, $"/keys/{name}/{version}"), created.KeyId);
        Assert.Equal(new Uri(fixture.Server.VaultUri, $"/secrets/{name}/{version}"), created.SecretId);
        Assert.Equal("payments", created.Properties.Tags["team"]);
        Assert.True(created.Properties.Enabled);
        Assert.Equal("CN=billing.payments.internal", created.Policy.Subject);
        Assert.Equal(6, created.Policy.ValidityInMonths);

        using (var x509 = Load(created.Cer))
        {
            Assert.Equal("CN=billing.payments.internal", x509.Subject);
            Assert.Equal(x509.Subject, x509.Issuer);
            // Azure's x5t: SHA-1 of the DER; attributes nbf/exp are the X.509 validity.
#pragma warning disable CA5350
            Assert.Equal(SHA1.HashData(created.Cer), created.Properties.X509Thumbprint);
#pragma warning restore CA5350
            Assert.Equal(new DateTimeOffset(x509.NotBefore.ToUniversalTime()), created.Properties.NotBefore);
            Assert.Equal(new DateTimeOffset(x509.NotAfter.ToUniversalTime()), created.Properties.ExpiresOn);
            Assert.InRange(x509.NotBefore.ToUniversalTime(), before.UtcDateTime.AddMinutes(-11), before.UtcDateTime.AddMinutes(-9));
            Assert.InRange(x509.NotAfter.ToUniversalTime(), before.AddMonths(6).UtcDateTime.AddMinutes(-1), DateTime.UtcNow.AddMonths(6).AddMinutes(1));
        }

        var latest = (await Admin.GetCertificateAsync(name)).Value;
        Assert.Equal(version, latest.Properties.Version);
        Assert.Equal(created.Cer, latest.Cer);
        Assert.Equal("CN=billing.payments.internal", latest.Policy.Subject);

        var byVersion = (await Admin.GetCertificateVersionAsync(name, version)).Value;
        Assert.Equal(created.Cer, byVersion.Cer);
        Assert.Equal(version, byVersion.Properties.Version);
        Assert.Equal("payments", byVersion.Properties.Tags["team"]);

        var pending = await Admin.GetCertificateOperationAsync(name);
        Assert.Equal("completed", pending.Properties.Status);
        Assert.Equal(operation.Properties.RequestId, pending.Properties.RequestId);
        Assert.Null(pending.Properties.Error);
        Assert.Equal(created.Cer, (await pending.WaitForCompletionAsync()).Value.Cer);
    }

    [Fact]
    public async Task A_second_create_adds_a_version_and_lists_show_names_once_and_every_version()
    {
        var name = UniqueName("versions");
        var first = await Admin.CreateAsync(name, SelfPolicy());
        var second = await Admin.CreateAsync(name, SelfPolicy());
        Assert.NotEqual(first.Properties.Version, second.Properties.Version);
        Assert.Equal(second.Properties.Version, (await Admin.GetCertificateAsync(name)).Value.Properties.Version);
        Assert.Equal(first.Cer, (await Admin.GetCertificateVersionAsync(name, first.Properties.Version)).Value.Cer);

        var versions = await Admin.GetPropertiesOfCertificateVersionsAsync(name).ToListAsync();
        Assert.Equal(
            new[] { first.Properties.Version, second.Properties.Version }.Order(StringComparer.Ordinal),
            versions.Select(v => v.Version).Order(StringComparer.Ordinal));
        Assert.All(versions, v => Assert.Equal(new Uri(fixture.Server.VaultUri, $"/certificates/{name}/{v.Version}"), v.Id));

        var listed = (await Admin.GetPropertiesOfCertificatesAsync().ToListAsync()).Where(c => c.Name == name).ToList();
        var item = Assert.Single(listed);
        Assert.Null(item.Version);
        Assert.Equal(new Uri(fixture.Server.VaultUri, $"/certificates/{name}"), item.Id);
        Assert.Equal(second.Properties.X509Thumbprint, item.X509Thumbprint);
    }

    [Fact]
    public async Task A_certificate_waiting_for_a_merge_is_listed_only_with_includePending()
    {
        var ready = UniqueName("listed-ready");
        await Admin.CreateAsync(ready, SelfPolicy());
        var waiting = UniqueName("listed-pending");
        await Admin.StartCreateCertificateAsync(waiting, new CertificatePolicy("Unknown", "CN=waiting.payments.internal"));

        var without = (await Admin.GetPropertiesOfCertificatesAsync(includePending: false).ToListAsync()).Select(c => c.Name).ToList();
        var with = (await Admin.GetPropertiesOfCertificatesAsync(includePending: true).ToListAsync()).Select(c => c.Name).ToList();

        Assert.Contains(ready, without);
        Assert.DoesNotContain(waiting, without);
        Assert.Contains(ready, with);
        Assert.Contains(waiting, with);
    }

    [Fact]
    public async Task Updating_enabled_and_tags_changes_the_version_and_its_managed_key_and_secret()
    {
        var name = UniqueName("update");
        var created = await Admin.CreateAsync(name, SelfPolicy(), new Dictionary<string, string> { ["team"] = "payments" });
        var version = created.Properties.Version;

        var properties = created.Properties;
        properties.Enabled = false;
        properties.Tags["env"] = "prod";
        var updated = (await Admin.UpdateCertificatePropertiesAsync(properties)).Value;

        Assert.False(updated.Properties.Enabled);
        Assert.Equal("prod", updated.Properties.Tags["env"]);
        Assert.Equal("payments", updated.Properties.Tags["team"]);
        Assert.Equal(created.Cer, updated.Cer);
        var reread = (await Admin.GetCertificateVersionAsync(name, version)).Value;
        Assert.False(reread.Properties.Enabled);
        Assert.Equal("prod", reread.Properties.Tags["env"]);

        var key = (await fixture.Raw.GetAsync(name, version)).Ok();
        Assert.False(key.GetProperty("attributes").GetProperty("enabled").GetBoolean());
        Assert.Equal("prod", key.GetProperty("tags").GetProperty("env").GetString());
        var secret = Assert.Single(await fixture.Server.SecretClient().GetPropertiesOfSecretVersionsAsync(name).ToListAsync());
        Assert.Equal(version, secret.Version);
        Assert.False(secret.Enabled);
        Assert.Equal("prod", secret.Tags["env"]);

        properties = reread.Properties;
        properties.Enabled = true;
        Assert.True((await Admin.UpdateCertificatePropertiesAsync(properties)).Value.Properties.Enabled);
        Assert.True((await fixture.Raw.GetAsync(name, version)).Ok().GetProperty("attributes").GetProperty("enabled").GetBoolean());
        using var downloaded = (await Admin.DownloadCertificateAsync(name)).Value;
        Assert.True(downloaded.HasPrivateKey);
    }

    [Fact]
    public async Task The_policy_reads_back_and_a_patch_changes_only_what_it_names_for_the_next_version()
    {
        var name = UniqueName("policy");
        var policy = SelfPolicy("CN=policy.payments.internal");
        policy.KeyType = CertificateKeyType.Ec;
        policy.KeyCurveName = CertificateKeyCurveName.P384;
        policy.ValidityInMonths = 3;
        await Admin.CreateAsync(name, policy);

        var stored = (await Admin.GetCertificatePolicyAsync(name)).Value;
        Assert.Equal("CN=policy.payments.internal", stored.Subject);
        Assert.Equal(CertificateKeyType.Ec, stored.KeyType);
        Assert.Equal(CertificateKeyCurveName.P384, stored.KeyCurveName);
        Assert.Equal(384, stored.KeySize);
        Assert.Equal(3, stored.ValidityInMonths);
        Assert.Equal(WellKnownIssuerNames.Self, stored.IssuerName);
        Assert.Equal(CertificateContentType.Pkcs12, stored.ContentType);
        Assert.True(stored.Exportable);
        Assert.False(stored.ReuseKey);
        // The service's defaults are filled in.
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], stored.EnhancedKeyUsage);
        Assert.Contains(CertificateKeyUsage.DigitalSignature, stored.KeyUsage);
        var action = Assert.Single(stored.LifetimeActions);
        Assert.Equal(CertificatePolicyAction.AutoRenew, action.Action);
        Assert.Equal(80, action.LifetimePercentage);

        var patch = new CertificatePolicy { ValidityInMonths = 24, ContentType = CertificateContentType.Pem };
        var patched = (await Admin.UpdateCertificatePolicyAsync(name, patch)).Value;
        Assert.Equal(24, patched.ValidityInMonths);
        Assert.Equal(CertificateContentType.Pem, patched.ContentType);
        Assert.Equal("CN=policy.payments.internal", patched.Subject);
        Assert.Equal(CertificateKeyCurveName.P384, patched.KeyCurveName);
        Assert.Equal(24, (await Admin.GetCertificatePolicyAsync(name)).Value.ValidityInMonths);

        // The next version is made by the patched policy: the create takes the stored one when given the same subject.
        var next = (await (await Admin.StartCreateCertificateAsync(name, (await Admin.GetCertificatePolicyAsync(name)).Value)).WaitForCompletionAsync()).Value;
        using var x509 = Load(next.Cer);
        Assert.InRange((x509.NotAfter - x509.NotBefore).TotalDays, 729, 732);
        Assert.Equal(CertificateContentType.Pem.ToString(), (await fixture.Server.SecretClient().GetSecretAsync(name)).Value.Properties.ContentType);
    }

    [Fact]
    public async Task A_deleted_certificate_is_gone_with_its_key_and_secret_until_recovered_and_a_purge_frees_the_name()
    {
        var name = UniqueName("delete");
        var created = await Admin.CreateAsync(name, SelfPolicy(), new Dictionary<string, string> { ["team"] = "payments" });

        var deleting = await Admin.StartDeleteCertificateAsync(name);
        var deleted = (await deleting.WaitForCompletionAsync()).Value;
        Assert.Equal(new Uri(fixture.Server.VaultUri, $"/deletedcertificates/{name}"), deleted.RecoveryId);
        Assert.NotNull(deleted.DeletedOn);
        Assert.True(deleted.ScheduledPurgeDate > deleted.DeletedOn);
        Assert.Equal(created.Cer, deleted.Cer);
        Assert.Equal(created.Properties.Version, deleted.Properties.Version);

        await FailsWith(404, "CertificateNotFound", () => Admin.GetCertificateAsync(name));
        await FailsWith(404, "CertificateNotFound", () => Admin.GetCertificateVersionAsync(name, created.Properties.Version));
        await FailsWith(404, "CertificateNotFound", () => Admin.GetCertificatePolicyAsync(name));
        await FailsWith(404, "PendingCertificateNotFound", () => Admin.GetCertificateOperationAsync(name));
        Assert.DoesNotContain(name, (await Admin.GetPropertiesOfCertificatesAsync().ToListAsync()).Select(c => c.Name));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await fixture.Raw.GetAsync(name)).Status);
        await FailsWith(404, "SecretNotFound", () => fixture.Server.SecretClient().GetSecretAsync(name));
        Assert.Equal(created.Cer, (await Admin.GetDeletedCertificateAsync(name)).Value.Cer);
        var listed = Assert.Single(await Admin.GetDeletedCertificatesAsync().ToListAsync(), d => d.Name == name);
        Assert.Equal(deleted.RecoveryId, listed.RecoveryId);
        // A create on a deleted name is refused until it is recovered or purged.
        await FailsWith(409, "Conflict", () => Admin.StartCreateCertificateAsync(name, SelfPolicy()));

        var recovering = await Admin.StartRecoverDeletedCertificateAsync(name);
        var recovered = (await recovering.WaitForCompletionAsync()).Value;
        Assert.Equal(created.Cer, recovered.Cer);
        Assert.Equal("payments", recovered.Properties.Tags["team"]);
        Assert.Equal(created.Properties.Version, (await Admin.GetCertificateAsync(name)).Value.Properties.Version);
        Assert.Equal("completed", (await Admin.GetCertificateOperationAsync(name)).Properties.Status);
        (await fixture.Raw.GetAsync(name, created.Properties.Version)).Ok();
        using (var downloaded = (await Admin.DownloadCertificateAsync(name)).Value)
        {
            Assert.True(downloaded.HasPrivateKey);
        }
        await FailsWith(404, "CertificateNotFound", () => Admin.GetDeletedCertificateAsync(name));

        await (await Admin.StartDeleteCertificateAsync(name)).WaitForCompletionAsync();
        await Admin.PurgeDeletedCertificateAsync(name);
        await FailsWith(404, "CertificateNotFound", () => Admin.GetDeletedCertificateAsync(name));
        await FailsWith(404, "CertificateNotFound", () => Admin.GetCertificateAsync(name));
        await FailsWith(404, "CertificateNotFound", () => Admin.GetCertificatePolicyAsync(name));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await fixture.Raw.SendAsync(HttpMethod.Get, $"/deletedkeys/{name}")).Status);
        await FailsWith(404, "SecretNotFound", () => fixture.Server.SecretClient().GetDeletedSecretAsync(name));

        var again = await Admin.CreateAsync(name, SelfPolicy("CN=again.payments.internal"));
        Assert.NotEqual(created.Properties.Version, again.Properties.Version);
        Assert.Single(await Admin.GetPropertiesOfCertificateVersionsAsync(name).ToListAsync());
    }

    [Fact]
    public async Task A_backup_restores_after_a_purge_and_into_another_vault_with_its_key_secret_and_policy()
    {
        var name = UniqueName("backup");
        var policy = SelfPolicy("CN=backup.payments.internal");
        policy.ContentType = CertificateContentType.Pem;
        var created = await Admin.CreateAsync(name, policy, new Dictionary<string, string> { ["team"] = "payments" });
        var version = created.Properties.Version;
        var digest = SHA256.HashData("restored keys still sign"u8);

        var blob = (await Admin.BackupCertificateAsync(name)).Value;
        Assert.NotEmpty(blob);
        // A backup onto a name in use is refused.
        await FailsWith(409, "Conflict", () => Admin.RestoreCertificateBackupAsync(blob));

        await (await Admin.StartDeleteCertificateAsync(name)).WaitForCompletionAsync();
        await Admin.PurgeDeletedCertificateAsync(name);
        var restored = (await Admin.RestoreCertificateBackupAsync(blob)).Value;
        Assert.Equal(version, restored.Properties.Version);
        Assert.Equal(created.Cer, restored.Cer);
        Assert.Equal("CN=backup.payments.internal", restored.Policy.Subject);
        Assert.Equal("payments", restored.Properties.Tags["team"]);
        Assert.Equal(CertificateContentType.Pem, (await Admin.GetCertificatePolicyAsync(name)).Value.ContentType);
        var signature = (await fixture.Raw.OperateOkAsync(name, version, "sign", Keys.RawKeysClient.Body("RS256", digest))).Value;
        Assert.True(Verifies(created.Cer, digest, signature, HashAlgorithmName.SHA256));
        using (var downloaded = (await Admin.DownloadCertificateAsync(name, version)).Value)
        {
            Assert.True(downloaded.HasPrivateKey);
            Assert.Equal(created.Cer, downloaded.RawData);
        }

        // Into another vault of the same deployment (the spare vault's administrator restores it there).
        var (clientId, clientSecret) = await fixture.PrincipalAsync(Keyhub.Core.Authorization.BuiltInRoles.Administrator, "/vaults/" + CertificatesServer.SpareVault);
        var spare = fixture.Client(clientId, clientSecret, fixture.SpareUri);
        var there = (await spare.RestoreCertificateBackupAsync(blob)).Value;
        Assert.Equal(version, there.Properties.Version);
        Assert.Equal(new Uri(fixture.SpareUri, $"/certificates/{name}/{version}"), there.Id);
        Assert.Equal("CN=backup.payments.internal", (await spare.GetCertificatePolicyAsync(name)).Value.Subject);
        using (var downloaded = (await spare.DownloadCertificateAsync(name)).Value)
        {
            Assert.True(downloaded.HasPrivateKey);
            Assert.Equal(created.Cer, downloaded.RawData);
        }
        var spareSecrets = new SecretClient(fixture.SpareUri, fixture.Server.Credential(clientId, clientSecret), fixture.Server.SecretOptions());
        var secret = (await spareSecrets.GetSecretAsync(name)).Value;
        Assert.True(secret.Properties.Managed);
        Assert.Equal(version, secret.Properties.Version);

        // A blob that is not a backup is a 400.
        await FailsWith(400, "BadParameter", () => Admin.RestoreCertificateBackupAsync(RandomNumberGenerator.GetBytes(300)));
    }
}
