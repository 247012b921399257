using Keyhub.Core.Secrets;
using Keyhub.Core.Vaults;
using Keyhub.Server.Hosting;

namespace Keyhub.Server.Tests.Hosting;

/// <summary>
/// A data folder written by the first released format (database + dev seal key, committed under
/// Golden/) must keep opening in every later version: seal, keyring, principals and secret payloads.
/// </summary>
public sealed class GoldenDeploymentTests
{
    private const string GoldenFolder = "Golden/deployment-v1";
    private const string GoldenBackup = "Golden/secret-backup-v1.txt";
    private const string TenantId = "6f1c1a4e-5b7e-4d53-9d0b-0c1d2e3f4a5b";
    private const string ClientSecret = "golden-client-secret-not-used-anywhere-else";
    private static readonly VaultProperties Hub = new() { Name = "hub" };

    [Fact]
    public async Task Format_v1_deployment_opens_and_reads_back_its_secrets_and_principals()
    {
        var folder = CopyGolden();
        try
        {
            await using var runtime = await KeyhubRuntime.OpenAsync(folder, null, TimeProvider.System, CancellationToken.None);
            Assert.Equal(TenantId, runtime.Deployment.TenantId);

            var secret = await runtime.Secrets.GetAsync(Hub, "golden-secret", null, CancellationToken.None);
            Assert.Equal("golden-value", secret.Value);
            Assert.Equal("text/plain", secret.ContentType);
            Assert.Equal("blue", secret.Tags!["colour"]);
            var versions = await runtime.Secrets.ListVersionsAsync(Hub, "golden-secret", null, 25, CancellationToken.None);
            Assert.Equal(2, versions.Items.Count);

            var deleted = await runtime.Secrets.GetDeletedAsync(Hub, "golden-deleted", CancellationToken.None);
            Assert.Equal("golden-deleted", deleted.Latest.Name);

            var principals = await runtime.Principals.ListAsync(CancellationToken.None);
            var app = Assert.Single(principals, p => p.DisplayName == "golden-app");
            Assert.NotNull(await runtime.Principals.AuthenticateAsync(app.ClientId, ClientSecret, CancellationToken.None));
            var assignments = await runtime.RoleAssignments.ListAsync(CancellationToken.None);
            Assert.Contains(assignments, a => a.PrincipalId == app.ObjectId && a.Scope == "/vaults/hub");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A secret backup blob made by format v1 (from the golden deployment) still restores.</summary>
    [Fact]
    public async Task Format_v1_secret_backup_blob_restores_into_the_same_deployment()
    {
        var folder = CopyGolden();
        try
        {
            await using var runtime = await KeyhubRuntime.OpenAsync(folder, null, TimeProvider.System, CancellationToken.None);
            var target = await runtime.Vaults.EnsureAsync(new VaultProperties { Name = "restored", Port = 65001 }, CancellationToken.None);
            var blob = System.Buffers.Text.Base64Url.DecodeFromChars(
                (await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, GoldenBackup))).Trim());

            await runtime.Secrets.RestoreAsync(target, blob, CancellationToken.None);

            var secret = await runtime.Secrets.GetAsync(target, "golden-secret", null, CancellationToken.None);
            Assert.Equal("golden-value", secret.Value);
            Assert.Equal(2, (await runtime.Secrets.ListVersionsAsync(target, "golden-secret", null, 25, CancellationToken.None)).Items.Count);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact(Skip = "Generator: run by hand only when a new format version adds a new golden backup.")]
    public async Task Generate_golden_secret_backup_v1()
    {
        var target = Path.Combine(FindTestsFolder(), GoldenBackup);
        Assert.False(File.Exists(target), "Golden files are never overwritten.");
        var folder = CopyGolden();
        try
        {
            await using var runtime = await KeyhubRuntime.OpenAsync(folder, null, TimeProvider.System, CancellationToken.None);
            var blob = await runtime.Secrets.BackupAsync(Hub, "golden-secret", CancellationToken.None);
            await File.WriteAllTextAsync(target, System.Buffers.Text.Base64Url.EncodeToString(blob) + "\n");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Wrote the golden folder once (format v1). Never regenerate it: it stands for data in the field.</summary>
    [Fact(Skip = "Generator: run by hand only when a new format version adds a new golden folder.")]
    public async Task Generate_golden_deployment_v1()
    {
        var target = Path.Combine(FindTestsFolder(), GoldenFolder);
        Assert.False(Directory.Exists(target), "Golden folders are never overwritten.");
        await using (var runtime = await KeyhubRuntime.OpenAsync(target, TenantId, TimeProvider.System, CancellationToken.None))
        {
            await runtime.Vaults.EnsureAsync(Hub, CancellationToken.None);
            await runtime.Secrets.SetAsync(Hub, "golden-secret", new NewSecret("first-value"), CancellationToken.None);
            await runtime.Secrets.SetAsync(
                Hub,
                "golden-secret",
                new NewSecret("golden-value") { ContentType = "text/plain", Tags = new Dictionary<string, string> { ["colour"] = "blue" } },
                CancellationToken.None);
            await runtime.Secrets.SetAsync(Hub, "golden-deleted", new NewSecret("gone"), CancellationToken.None);
            await runtime.Secrets.DeleteAsync(Hub, "golden-deleted", CancellationToken.None);
            var (app, secret) = await runtime.Principals.AddAsync("golden-app", CancellationToken.None);
            await runtime.RoleAssignments.AddAsync(app.ObjectId, "Key Vault Secrets User", "/vaults/hub", CancellationToken.None);
            // The golden principal's secret must be known to the test, so replace the random one.
            _ = secret;
            await ReplaceSecretAsync(runtime, app.ClientId);
        }
    }

    private static async Task ReplaceSecretAsync(KeyhubRuntime runtime, string clientId)
    {
        var principal = (await runtime.Principals.GetByClientIdAsync(clientId, CancellationToken.None))!;
        var hash = Keyhub.Core.Identity.ClientSecretHasher.Hash(ClientSecret);
        var key = new Keyhub.Core.Storage.RecordKey(Keyhub.Core.Storage.SystemVault.Name, "principal", clientId, "");
        var record = (await runtime.Store.GetAsync(key, CancellationToken.None))!;
        var updated = principal with { Secrets = [new(Guid.NewGuid().ToString(), hash, DateTimeOffset.UtcNow, null)] };
        await runtime.Store.WriteAsync(
            [new Keyhub.Core.Storage.RecordWrite.Put(record with { Payload = Keyhub.Core.Storage.SealedJson.Encrypt(runtime.Seal.Barrier, key, updated) })],
            CancellationToken.None);
    }

    private static string CopyGolden() => GoldenFiles.CopyFolder(GoldenFolder);

    private static string FindTestsFolder() => GoldenFiles.TestsFolder();
}
