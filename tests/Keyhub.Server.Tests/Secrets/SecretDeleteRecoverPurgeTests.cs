using Azure.Security.KeyVault.Secrets;
using Keyhub.Server.Tests.Infrastructure;
using static Keyhub.Server.Tests.Secrets.SecretAssertions;

namespace Keyhub.Server.Tests.Secrets;

/// <summary>Soft delete, the delete and recover pollers, listing deleted secrets, and purge (wire.md §4.5).</summary>
[Collection(SharedServerCollection.Name)]
public sealed class SecretDeleteRecoverPurgeTests(SharedServer shared)
{
    private KeyhubTestServer Server => shared.Server;

    [Fact]
    public async Task Delete_operation_completes_with_deleted_date_scheduled_purge_date_and_recovery_id()
    {
        var client = Server.SecretClient();
        var name = UniqueName("delete");
        var set = (await client.SetSecretAsync(new KeyVaultSecret(name, "v") { Properties = { ContentType = "ct", Tags = { ["a"] = "b" } } })).Value;
        var before = Seconds(DateTimeOffset.UtcNow);

        var operation = await client.StartDeleteSecretAsync(name);
        var started = operation.Value;
        var deleted = (await operation.WaitForCompletionAsync()).Value;

        Assert.True(operation.HasCompleted);
        foreach (var d in new[] { started, deleted })
        {
            Assert.Equal(name, d.Name);
            IsVersionedId(d.Properties, Server.VaultUri, name);
            Assert.Equal(set.Properties.Version, d.Properties.Version);
            Assert.Null(d.Value);
            Assert.Equal("ct", d.Properties.ContentType);
            Assert.Equal(new Dictionary<string, string> { ["a"] = "b" }, d.Properties.Tags);
            Assert.Equal(new Uri(Server.VaultUri, $"/deletedsecrets/{name}"), d.RecoveryId);
            Assert.NotNull(d.DeletedOn);
            Assert.InRange(d.DeletedOn.Value, before, DateTimeOffset.UtcNow.AddSeconds(1));
            Assert.Equal(d.DeletedOn.Value.AddDays(90), d.ScheduledPurgeDate);
            Assert.Equal(90, d.Properties.RecoverableDays);
            Assert.Equal("Recoverable+Purgeable", d.Properties.RecoveryLevel);
        }
        Assert.Equal(started.DeletedOn, deleted.DeletedOn);
    }

    [Fact]
    public async Task A_deleted_secret_leaves_the_live_api_and_appears_among_deleted_secrets()
    {
        var client = Server.SecretClient();
        var name = UniqueName("soft-deleted");
        await client.SetSecretAsync(name, "v");
        await (await client.StartDeleteSecretAsync(name)).WaitForCompletionAsync();

        await FailsWith(404, "SecretNotFound", () => client.GetSecretAsync(name));
        await FailsWith(404, "SecretNotFound", async () =>
        {
            await foreach (var _ in client.GetPropertiesOfSecretVersionsAsync(name))
            {
            }
        });
        await foreach (var live in client.GetPropertiesOfSecretsAsync())
        {
            Assert.NotEqual(name, live.Name);
        }

        var gotDeleted = (await client.GetDeletedSecretAsync(name)).Value;
        Assert.Equal(name, gotDeleted.Name);
        IsVersionedId(gotDeleted.Properties, Server.VaultUri, name);
        Assert.Equal(new Uri(Server.VaultUri, $"/deletedsecrets/{name}"), gotDeleted.RecoveryId);
        Assert.NotNull(gotDeleted.ScheduledPurgeDate);

        var listed = new List<DeletedSecret>();
        await foreach (var d in client.GetDeletedSecretsAsync())
        {
            if (d.Name == name)
            {
                listed.Add(d);
            }
        }
        var item = Assert.Single(listed);
        IsVersionlessId(item.Properties, Server.VaultUri, name);
        Assert.Equal(gotDeleted.RecoveryId, item.RecoveryId);
        Assert.Equal(gotDeleted.DeletedOn, item.DeletedOn);
        Assert.Equal(gotDeleted.ScheduledPurgeDate, item.ScheduledPurgeDate);
    }

    [Fact]
    public async Task Deleted_secret_name_cannot_be_reused_until_purged()
    {
        var client = Server.SecretClient();
        var name = UniqueName("reuse");
        await client.SetSecretAsync(name, "first");
        await (await client.StartDeleteSecretAsync(name)).WaitForCompletionAsync();

        var conflict = await FailsWith(409, "Conflict", () => client.SetSecretAsync(name, "second"));
        Assert.Equal("ObjectIsDeletedButRecoverable", InnerErrorCode(conflict));
        Assert.Contains("deleted but recoverable", ErrorMessage(conflict), StringComparison.Ordinal);
        await FailsWith(409, "Conflict", () => client.SetSecretAsync(name.ToUpperInvariant(), "second"));

        var purge = await client.PurgeDeletedSecretAsync(name);
        Assert.Equal(204, purge.Status);

        var reused = (await client.SetSecretAsync(name, "second")).Value;
        Assert.Equal("second", (await client.GetSecretAsync(name)).Value.Value);
        var versions = new List<SecretProperties>();
        await foreach (var v in client.GetPropertiesOfSecretVersionsAsync(name))
        {
            versions.Add(v);
        }
        Assert.Equal(reused.Properties.Version, Assert.Single(versions).Version);
    }

    [Fact]
    public async Task Recover_operation_brings_back_every_version_with_its_value()
    {
        var client = Server.SecretClient();
        var name = UniqueName("recover");
        var one = (await client.SetSecretAsync(name, "one")).Value;
        var two = (await client.SetSecretAsync(new KeyVaultSecret(name, "two") { Properties = { Tags = { ["x"] = "y" } } })).Value;
        await (await client.StartDeleteSecretAsync(name)).WaitForCompletionAsync();

        var operation = await client.StartRecoverDeletedSecretAsync(name);
        var recovered = (await operation.WaitForCompletionAsync()).Value;

        Assert.True(operation.HasCompleted);
        IsVersionedId(recovered, Server.VaultUri, name);
        Assert.Equal(two.Properties.Version, recovered.Version);
        Assert.Equal(new Dictionary<string, string> { ["x"] = "y" }, recovered.Tags);
        Assert.Equal("two", (await client.GetSecretAsync(name)).Value.Value);
        Assert.Equal("one", (await client.GetSecretAsync(name, one.Properties.Version)).Value.Value);
        await FailsWith(404, "SecretNotFound", () => client.GetDeletedSecretAsync(name));
        Assert.Equal("three", (await client.SetSecretAsync(name, "three")).Value.Value);
    }

    [Fact]
    public async Task Purge_removes_the_deleted_secret_and_every_version_for_good()
    {
        var client = Server.SecretClient();
        var name = UniqueName("purge");
        var old = (await client.SetSecretAsync(name, "old")).Value;
        await (await client.StartDeleteSecretAsync(name)).WaitForCompletionAsync();

        var response = await client.PurgeDeletedSecretAsync(name);

        Assert.Equal(204, response.Status);
        await FailsWith(404, "SecretNotFound", () => client.GetDeletedSecretAsync(name));
        await FailsWith(404, "SecretNotFound", () => client.StartRecoverDeletedSecretAsync(name));
        await FailsWith(404, "SecretNotFound", () => client.PurgeDeletedSecretAsync(name));
        await foreach (var d in client.GetDeletedSecretsAsync())
        {
            Assert.NotEqual(name, d.Name);
        }
        await client.SetSecretAsync(name, "new");
        await FailsWith(404, "SecretNotFound", () => client.GetSecretAsync(name, old.Properties.Version));
    }

    [Fact]
    public async Task Only_deleted_secrets_can_be_recovered_or_purged_and_only_live_ones_deleted()
    {
        var client = Server.SecretClient();
        var live = UniqueName("live");
        var missing = UniqueName("missing");
        await client.SetSecretAsync(live, "v");

        await FailsWith(404, "SecretNotFound", () => client.StartRecoverDeletedSecretAsync(live));
        await FailsWith(404, "SecretNotFound", () => client.PurgeDeletedSecretAsync(live));
        await FailsWith(404, "SecretNotFound", () => client.GetDeletedSecretAsync(live));
        await FailsWith(404, "SecretNotFound", () => client.StartDeleteSecretAsync(missing));
        Assert.Equal("v", (await client.GetSecretAsync(live)).Value.Value);

        await (await client.StartDeleteSecretAsync(live)).WaitForCompletionAsync();
        await FailsWith(404, "SecretNotFound", () => client.StartDeleteSecretAsync(live));
    }
}
