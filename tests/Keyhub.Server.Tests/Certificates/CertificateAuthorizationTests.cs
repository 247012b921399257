using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure;
using Azure.Security.KeyVault.Certificates;
using Keyhub.Core.Authorization;
using static Keyhub.Server.Tests.Certificates.CertificateKit;

namespace Keyhub.Server.Tests.Certificates;

/// <summary>
/// Every certificate operation is checked against its own data action (docs/certificates-wire.md §10): for
/// each built-in role, each operation either gets past authorization or is a 403 Forbidden
/// (<c>ForbiddenByRbac</c>), exactly as the role's data actions say; refused writes change nothing.
/// </summary>
[Collection(CertificatesServerCollection.Name)]
public sealed class CertificateAuthorizationTests(CertificatesServer fixture)
{
    private const string Read = "read";
    private const string Create = "create";
    private const string Import = "import";
    private const string Update = "update";
    private const string Delete = "delete";
    private const string Recover = "recover";
    private const string Backup = "backup";
    private const string Restore = "restore";
    private const string Purge = "purge";
    private const string IssuersRead = "issuers read";
    private const string IssuersWrite = "issuers write";
    private const string IssuersDelete = "issuers delete";
    private const string Contacts = "contacts";
    private const string Download = "download";

    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Key Vault Certificate User"] = [Read, Download],
        ["Key Vault Certificates Officer"] = [Read, Create, Import, Update, Delete, Recover, Backup, Restore, Purge, IssuersRead, IssuersWrite, IssuersDelete, Contacts],
        ["Key Vault Secrets User"] = [],
        ["Key Vault Reader"] = [Read, IssuersRead],
        ["Key Vault Crypto Officer"] = [],
    };

    public static TheoryData<string> Roles => new(Allowed.Keys);

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Each_certificate_operation_is_allowed_exactly_when_the_role_holds_its_data_action(string roleName)
    {
        var role = BuiltInRoles.Find(roleName)!;
        var (clientId, clientSecret) = await fixture.PrincipalAsync(role);
        var client = fixture.Client(clientId, clientSecret);
        var admin = fixture.Admin;
        var tag = roleName.Replace(' ', '-').ToLowerInvariant()[10..];

        // The objects each operation works on, made by the administrator.
        var target = UniqueName($"authz-{tag}");
        var created = await admin.CreateAsync(target, SelfPolicy("CN=authz.payments.internal"));
        var pending = UniqueName($"authz-pending-{tag}");
        var operation = await admin.StartCreateCertificateAsync(pending, new CertificatePolicy(WellKnownIssuerNames.Unknown, "CN=authz-pending.payments.internal"));
        var signed = fixture.OutsideCa.SignRequest(operation.Properties.Csr, TimeSpan.FromDays(30));
        var doomed = UniqueName($"authz-doomed-{tag}");
        await admin.CreateAsync(doomed, SelfPolicy("CN=doomed.payments.internal"));
        var blob = (await admin.BackupCertificateAsync(doomed)).Value;
        await (await admin.StartDeleteCertificateAsync(doomed)).WaitForCompletionAsync();
        var issuer = UniqueName($"authz-issuer-{tag}");
        await admin.CreateIssuerAsync(new CertificateIssuer(issuer, "DigiCert"));
        using var key = RSA.Create(2048);
        using var leaf = fixture.OutsideCa.IssueLeaf("CN=authz-import.payments.internal", key, TimeSpan.FromDays(30));
        var pfx = leaf.Export(X509ContentType.Pkcs12);

        var operations = new List<(string Action, string Label, Func<Task> Call)>
        {
            (Read, "get", () => client.GetCertificateAsync(target)),
            (Read, "get version", () => client.GetCertificateVersionAsync(target, created.Properties.Version)),
            (Read, "list", () => client.GetPropertiesOfCertificatesAsync().ToListAsync()),
            (Read, "list versions", () => client.GetPropertiesOfCertificateVersionsAsync(target).ToListAsync()),
            (Read, "get policy", () => client.GetCertificatePolicyAsync(target)),
            (Read, "get pending", () => client.GetCertificateOperationAsync(pending)),
            (Read, "get deleted", () => client.GetDeletedCertificateAsync(doomed)),
            (Read, "list deleted", () => client.GetDeletedCertificatesAsync().ToListAsync()),
            (Download, "download", () => client.DownloadCertificateAsync(target)),
            (Create, "create", () => client.StartCreateCertificateAsync(UniqueName($"authz-new-{tag}"), SelfPolicy())),
            (Create, "merge", () => client.MergeCertificateAsync(new MergeCertificateOptions(pending, [signed]))),
            (Import, "import", () => client.ImportCertificateAsync(new ImportCertificateOptions(UniqueName($"authz-import-{tag}"), pfx))),
            (Update, "update properties", async () =>
            {
                var properties = (await admin.GetCertificateAsync(target)).Value.Properties;
                properties.Tags["touched-by"] = tag;
                await client.UpdateCertificatePropertiesAsync(properties);
            }),
            (Update, "update policy", () => client.UpdateCertificatePolicyAsync(target, new CertificatePolicy { ValidityInMonths = 11 })),
            (Backup, "backup", () => client.BackupCertificateAsync(target)),
            (Purge, "purge", () => client.PurgeDeletedCertificateAsync(doomed)),
            (Restore, "restore", () => client.RestoreCertificateBackupAsync(blob)),
            (Delete, "delete", () => client.StartDeleteCertificateAsync(target)),
            (Recover, "recover", () => client.StartRecoverDeletedCertificateAsync(target)),
            (IssuersRead, "get issuer", () => client.GetIssuerAsync(issuer)),
            (IssuersRead, "list issuers", () => client.GetPropertiesOfIssuersAsync().ToListAsync()),
            (IssuersWrite, "create issuer", () => client.CreateIssuerAsync(new CertificateIssuer(UniqueName($"authz-issuer-new-{tag}"), "GlobalSign"))),
            (IssuersWrite, "update issuer", () => client.UpdateIssuerAsync(new CertificateIssuer(issuer) { AccountId = tag })),
            (IssuersDelete, "delete issuer", () => client.DeleteIssuerAsync(issuer)),
            (Contacts, "get contacts", () => client.GetContactsAsync()),
            (Contacts, "set contacts", () => client.SetContactsAsync([new CertificateContact { Email = "authz@payments.example" }])),
            (Contacts, "delete contacts", () => client.DeleteContactsAsync()),
        };

        var wrong = new List<string>();
        foreach (var (action, label, call) in operations)
        {
            var allowed = Allowed[roleName].Contains(action);
            int? status = null;
            string? inner = null;
            try
            {
                await call();
            }
            catch (RequestFailedException error)
            {
                status = error.Status;
                inner = error.Status == 403 ? InnerErrorCode(error) : null;
            }
            if (allowed && status == 403)
            {
                wrong.Add($"{label}: refused but {roleName} holds {action}");
            }
            else if (!allowed && (status != 403 || inner != "ForbiddenByRbac"))
            {
                wrong.Add($"{label}: {(status is null ? "succeeded" : $"answered {status} {inner}")} but {roleName} lacks {action}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));

        // What the role could not do left no trace.
        if (!Allowed[roleName].Contains(Update))
        {
            var after = (await admin.GetCertificateVersionAsync(target, created.Properties.Version)).Value;
            Assert.False(after.Properties.Tags.ContainsKey("touched-by"));
            Assert.Equal(12, (await admin.GetCertificatePolicyAsync(target)).Value.ValidityInMonths);
        }
        if (!Allowed[roleName].Contains(Delete))
        {
            Assert.Equal(created.Cer, (await admin.GetCertificateAsync(target)).Value.Cer);
        }
        if (!Allowed[roleName].Contains(Create))
        {
            Assert.Equal("inProgress", (await admin.GetCertificateOperationAsync(pending)).Properties.Status);
        }
    }

    [Fact]
    public async Task A_Certificates_Officer_creates_but_cannot_download_the_private_key_and_a_Certificate_User_downloads_but_cannot_create()
    {
        var officer = await fixture.PrincipalAsync(BuiltInRoles.CertificatesOfficer);
        var user = await fixture.PrincipalAsync(BuiltInRoles.CertificateUser);
        var officerClient = fixture.Client(officer.ClientId, officer.ClientSecret);
        var userClient = fixture.Client(user.ClientId, user.ClientSecret);
        var name = UniqueName("officer-made");

        var created = await officerClient.CreateAsync(name, SelfPolicy("CN=officer.payments.internal"));
        Assert.Equal(created.Cer, (await userClient.GetCertificateAsync(name)).Value.Cer);

        // DownloadCertificate reads the certificate, then its secret: the officer stops at the second request.
        await FailsWith(403, "Forbidden", () => officerClient.DownloadCertificateAsync(name));
        using var downloaded = (await userClient.DownloadCertificateAsync(name)).Value;
        Assert.True(downloaded.HasPrivateKey);
        await FailsWith(403, "Forbidden", () => userClient.StartCreateCertificateAsync(UniqueName("user-made"), SelfPolicy()));

        // A Secrets User reads the managed secret (a secret is a secret) but not the certificate.
        var secretsUser = await fixture.PrincipalAsync(BuiltInRoles.SecretsUser);
        await FailsWith(403, "Forbidden", () => fixture.Client(secretsUser.ClientId, secretsUser.ClientSecret).GetCertificateAsync(name));
        var secret = (await fixture.Server.SecretClient(secretsUser.ClientId, secretsUser.ClientSecret).GetSecretAsync(name)).Value;
        Assert.True(secret.Properties.Managed);
    }
}
