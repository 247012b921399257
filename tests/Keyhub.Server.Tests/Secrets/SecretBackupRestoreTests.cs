using System.Text;
using Azure.Security.KeyVault.Secrets;
using Keyhub.Server.Tests.Infrastructure;
using static Keyhub.Server.Tests.Secrets.SecretAssertions;

namespace Keyhub.Server.Tests.Secrets;

/// <summary>Backup blobs: encrypted, authenticated, and restorable only into the deployment that made them.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class SecretBackupRestoreTests(SharedServer shared)
{
    private KeyhubTestServer Server => shared.Server;

    [Fact]
    public async Task Backup_then_delete_purge_and_restore_brings_back_every_version_with_its_properties()
    {
        var client = Server.SecretClient();
        var name = UniqueName("Backup");
        var expires = Seconds(DateTimeOffset.UtcNow.AddDays(3));
        var one = (await client.SetSecretAsync(new KeyVaultSecret(name, "one") { Properties = { ContentType = "c1", Enabled = false } })).Value;
        var two = (await client.SetSecretAsync(new KeyVaultSecret(name, "two") { Properties = { ContentType = "c2", ExpiresOn = expires, Tags = { ["t"] = "2" } } })).Value;

        var blob = (await client.BackupSecretAsync(name)).Value;
        await (await client.StartDeleteSecretAsync(name)).WaitForCompletionAsync();
        await client.PurgeDeletedSecretAsync(name);
        await FailsWith(404, "SecretNotFound", () => client.GetSecretAsync(name));

        var restored = (await client.RestoreSecretBackupAsync(blob)).Value;

        IsVersionedId(restored, Server.VaultUri, name);
        Assert.Equal(two.Properties.Version, restored.Version);
        Assert.Equal("c2", restored.ContentType);
        Assert.Equal(expires, restored.ExpiresOn);
        Assert.Equal(new Dictionary<string, string> { ["t"] = "2" }, restored.Tags);
        var latest = (await client.GetSecretAsync(name)).Value;
        Assert.Equal("two", latest.Value);
        Assert.Equal(two.Properties.CreatedOn, latest.Properties.CreatedOn);
        Assert.Equal(name, latest.Name);
        var versions = new List<SecretProperties>();
        await foreach (var v in client.GetPropertiesOfSecretVersionsAsync(name))
        {
            versions.Add(v);
        }
        Assert.Equal(
            new[] { one.Properties.Version, two.Properties.Version }.Order(StringComparer.Ordinal),
            versions.Select(v => v.Version).Order(StringComparer.Ordinal));
        var restoredOne = Assert.Single(versions, v => v.Version == one.Properties.Version);
        Assert.False(restoredOne.Enabled);
        Assert.Equal("c1", restoredOne.ContentType);

        restoredOne.Enabled = true;
        await client.UpdateSecretPropertiesAsync(restoredOne);
        Assert.Equal("one", (await client.GetSecretAsync(name, one.Properties.Version)).Value.Value);
    }

    [Fact]
    public async Task Backup_blob_is_encrypted_so_the_value_and_tags_are_not_in_it()
    {
        var client = Server.SecretClient();
        var name = UniqueName("opaque");
        const string Value = "plain-value-that-must-not-appear-0123456789";
        const string Tag = "plain-tag-that-must-not-appear-9876543210";
        await client.SetSecretAsync(new KeyVaultSecret(name, Value) { Properties = { Tags = { ["t"] = Tag } } });

        var blob = (await client.BackupSecretAsync(name)).Value;

        Assert.True(blob.Length > 32);
        foreach (var needle in new[] { Value, Tag })
        {
            Assert.Equal(-1, blob.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)));
            Assert.Equal(-1, blob.AsSpan().IndexOf(Encoding.Unicode.GetBytes(needle)));
            Assert.Equal(-1, blob.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(needle))[..20])));
        }
    }

    [Fact]
    public async Task Restore_while_the_name_exists_is_refused_with_409_and_changes_nothing()
    {
        var client = Server.SecretClient();
        var name = UniqueName("restore-exists");
        await client.SetSecretAsync(name, "backed-up");
        var blob = (await client.BackupSecretAsync(name)).Value;
        var current = (await client.SetSecretAsync(name, "current")).Value;

        await FailsWith(409, "Conflict", () => client.RestoreSecretBackupAsync(blob));

        var latest = (await client.GetSecretAsync(name)).Value;
        Assert.Equal("current", latest.Value);
        Assert.Equal(current.Properties.Version, latest.Properties.Version);
    }

    [Fact]
    public async Task Restore_while_the_name_is_deleted_is_refused_with_409_deleted_but_recoverable()
    {
        var client = Server.SecretClient();
        var name = UniqueName("restore-deleted");
        await client.SetSecretAsync(name, "v");
        var blob = (await client.BackupSecretAsync(name)).Value;
        await (await client.StartDeleteSecretAsync(name)).WaitForCompletionAsync();

        var conflict = await FailsWith(409, "Conflict", () => client.RestoreSecretBackupAsync(blob));

        Assert.Equal("ObjectIsDeletedButRecoverable", InnerErrorCode(conflict));
        Assert.NotNull((await client.GetDeletedSecretAsync(name)).Value);
    }

    public static TheoryData<string> Tampering => new()
    {
        "first byte flipped",
        "header byte flipped",
        "middle byte flipped",
        "last byte flipped",
        "truncated by one byte",
        "extended by one byte",
        "cut to the header",
        "empty",
        "random bytes of the same length",
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task A_tampered_backup_blob_is_refused_with_400_BadParameter(string tampering)
    {
        var client = Server.SecretClient();
        var name = UniqueName("tamper");
        await client.SetSecretAsync(name, "v");
        var blob = (await client.BackupSecretAsync(name)).Value;
        await (await client.StartDeleteSecretAsync(name)).WaitForCompletionAsync();
        await client.PurgeDeletedSecretAsync(name);

        var bad = Tamper(blob, tampering);

        await FailsWith(400, "BadParameter", () => client.RestoreSecretBackupAsync(bad));
        await FailsWith(404, "SecretNotFound", () => client.GetSecretAsync(name));
        var restored = (await client.RestoreSecretBackupAsync(blob)).Value;
        Assert.Equal(name, restored.Name);
    }

    [Fact]
    public async Task A_backup_from_another_Keyhub_deployment_is_refused_with_400()
    {
        var client = Server.SecretClient();
        var name = UniqueName("foreign");
        await client.SetSecretAsync(name, "from-the-shared-deployment");
        var blob = (await client.BackupSecretAsync(name)).Value;
        await using var other = await KeyhubTestServer.StartAsync();
        var otherClient = other.SecretClient();

        var refused = await FailsWith(400, "BadParameter", () => otherClient.RestoreSecretBackupAsync(blob));

        Assert.Contains("another Keyhub deployment", ErrorMessage(refused), StringComparison.Ordinal);
        await FailsWith(404, "SecretNotFound", () => otherClient.GetSecretAsync(name));
        await foreach (var item in otherClient.GetPropertiesOfSecretsAsync())
        {
            Assert.NotEqual(name, item.Name);
        }
    }

    [Fact]
    public async Task Backup_of_a_missing_or_deleted_secret_fails_with_404()
    {
        var client = Server.SecretClient();
        var name = UniqueName("backup-missing");

        await FailsWith(404, "SecretNotFound", () => client.BackupSecretAsync(name));
        await client.SetSecretAsync(name, "v");
        await (await client.StartDeleteSecretAsync(name)).WaitForCompletionAsync();
        await FailsWith(404, "SecretNotFound", () => client.BackupSecretAsync(name));
    }

    private static byte[] Tamper(byte[] blob, string tampering)
    {
        var copy = (byte[])blob.Clone();
        switch (tampering)
        {
            case "first byte flipped":
                copy[0] ^= 0x01;
                return copy;
            case "header byte flipped":
                copy[4] ^= 0x01;
                return copy;
            case "middle byte flipped":
                copy[copy.Length / 2] ^= 0x80;
                return copy;
            case "last byte flipped":
                copy[^1] ^= 0x01;
                return copy;
            case "truncated by one byte":
                return copy[..^1];
            case "extended by one byte":
                return [.. copy, 0];
            case "cut to the header":
                return copy[..5];
            case "empty":
                return [];
            case "random bytes of the same length":
                return System.Security.Cryptography.RandomNumberGenerator.GetBytes(copy.Length);
            default:
                throw new ArgumentOutOfRangeException(nameof(tampering), tampering, null);
        }
    }
}
