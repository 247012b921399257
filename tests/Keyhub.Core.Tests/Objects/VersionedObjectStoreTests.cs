using Keyhub.Core.Errors;
using Keyhub.Core.Objects;
using Keyhub.Core.Storage;
using Keyhub.Core.Tests.Support;
using Keyhub.Core.Vaults;

namespace Keyhub.Core.Tests.Objects;

/// <summary>
/// The machinery shared by secrets and keys, on a kind of its own: what SecretEngineTests and
/// KeyEngineTests do not reach on their own (attached kinds, the kind a backup is bound to, restore
/// validation, the clear-text expiry column).
/// </summary>
public sealed class VersionedObjectStoreTests : IAsyncLifetime
{
    private static readonly VaultProperties Vault = new() { Name = "hub", RetentionDays = 7 };
    private static readonly VaultProperties Spoke = new() { Name = "spoke", RetentionDays = 7 };
    private static readonly ObjectKind Note = new("Note", "note", "note-version", "deletednotes") { AttachedKinds = ["note-extra", "note-more"] };
    private static readonly ObjectKind Memo = new("Memo", "memo", "memo-version", "deletedmemos");
    private static CancellationToken Ct => CancellationToken.None;
    private TestDeployment _deployment = null!;
    private VersionedObjectStore<NotePayload> _notes = null!;

    public async Task InitializeAsync()
    {
        _deployment = await TestDeployment.StartAsync();
        _notes = new VersionedObjectStore<NotePayload>(_deployment.Store, _deployment.Seal, _deployment.Time, Note);
    }

    public Task DisposeAsync()
    {
        _deployment.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Purge_removes_the_attached_kinds_of_that_name_and_nothing_else()
    {
        await _notes.AddVersionAsync(Vault, "n1", new NotePayload("one", null), true, null, Ct);
        await PutAsync(new RecordKey("hub", "note-extra", "n1", ""));
        await PutAsync(new RecordKey("hub", "note-more", "n1", "a"));
        await PutAsync(new RecordKey("hub", "note-more", "n1", "b"));
        await PutAsync(new RecordKey("hub", "note-extra", "n10", ""));
        await PutAsync(new RecordKey("spoke", "note-extra", "n1", ""));
        await PutAsync(new RecordKey("hub", "other-kind", "n1", ""));
        await _notes.DeleteAsync(Vault, "n1", Ct);

        await _notes.PurgeAsync(Vault, "N1", Ct);

        Assert.Empty(await ListAsync("hub", "note", "n1"));
        Assert.Empty(await ListAsync("hub", "note-version", "n1"));
        Assert.Empty(await ListAsync("hub", "note-extra", "n1"));
        Assert.Empty(await ListAsync("hub", "note-more", "n1"));
        Assert.Single(await ListAsync("hub", "note-extra", "n10"));
        Assert.Single(await ListAsync("spoke", "note-extra", "n1"));
        Assert.Single(await ListAsync("hub", "other-kind", "n1"));
    }

    [Fact]
    public async Task Purge_after_retention_removes_the_attached_kinds_too()
    {
        await _notes.AddVersionAsync(Vault, "n1", new NotePayload("one", null), true, null, Ct);
        await PutAsync(new RecordKey("hub", "note-extra", "n1", ""));
        await _notes.DeleteAsync(Vault, "n1", Ct);
        _deployment.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await _notes.PurgeExpiredAsync(Ct));

        _deployment.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, await _notes.PurgeExpiredAsync(Ct));
        Assert.Empty(await ListAsync("hub", "note-extra", "n1"));
        Assert.Empty(await ListAsync("hub", "note", "n1"));
    }

    [Fact]
    public async Task Delete_and_recover_keep_the_attached_records()
    {
        await _notes.AddVersionAsync(Vault, "n1", new NotePayload("one", null), true, null, Ct);
        await PutAsync(new RecordKey("hub", "note-extra", "n1", ""));

        await _notes.DeleteAsync(Vault, "n1", Ct);
        await _notes.RecoverAsync(Vault, "n1", Ct);

        Assert.Single(await ListAsync("hub", "note-extra", "n1"));
        Assert.Equal("one", (await _notes.GetAsync(Vault, "n1", null, Ct)).Payload.Text);
    }

    [Fact]
    public async Task Backup_is_bound_to_its_object_kind()
    {
        await _notes.AddVersionAsync(Vault, "n1", new NotePayload("one", null), true, null, Ct);
        var blob = await _notes.BackupAsync(Vault, "n1", Ct);
        var memos = new VersionedObjectStore<NotePayload>(_deployment.Store, _deployment.Seal, _deployment.Time, Memo);

        var error = await Assert.ThrowsAsync<KeyhubException>(() => memos.RestoreAsync(Vault, blob, _ => { }, Ct));

        Assert.Equal(400, error.Status);
        Assert.Empty(await ListAsync("hub", "memo", "n1"));
    }

    [Fact]
    public async Task Restore_into_another_vault_of_the_same_deployment_works()
    {
        await _notes.AddVersionAsync(Vault, "n1", new NotePayload("one", null), true, null, Ct);
        var blob = await _notes.BackupAsync(Vault, "n1", Ct);

        var restored = await _notes.RestoreAsync(Spoke, blob, _ => { }, Ct);

        Assert.Equal("one", restored.Payload.Text);
        Assert.Equal("one", (await _notes.GetAsync(Spoke, "n1", null, Ct)).Payload.Text);
    }

    [Fact]
    public async Task Restore_validates_every_version_before_it_writes_anything()
    {
        await _notes.AddVersionAsync(Vault, "n1", new NotePayload("fine", null), true, null, Ct);
        await _notes.AddVersionAsync(Vault, "n1", new NotePayload("refused", null), true, null, Ct);
        await _notes.AddVersionAsync(Vault, "n1", new NotePayload("fine too", null), true, null, Ct);
        var blob = await _notes.BackupAsync(Vault, "n1", Ct);
        var validated = new List<string>();

        var error = await Assert.ThrowsAsync<KeyhubException>(() => _notes.RestoreAsync(Spoke, blob, p =>
        {
            validated.Add(p.Text);
            if (p.Text == "refused")
            {
                throw Errors.Errors.BadParameter("refused");
            }
        }, Ct));

        Assert.Equal("refused", error.Message);
        Assert.Contains("refused", validated);
        Assert.Empty(await ListAsync("spoke", "note", "n1"));
        Assert.Empty(await ListAsync("spoke", "note-version", "n1"));
    }

    [Fact]
    public async Task Restore_puts_each_version_expiry_back_in_the_clear_text_column()
    {
        var expires = TestDeployment.Start.AddDays(30);
        var added = await _notes.AddVersionAsync(Vault, "n1", new NotePayload("one", expires.ToUnixTimeSeconds()), false, expires, Ct);
        var blob = await _notes.BackupAsync(Vault, "n1", Ct);

        await _notes.RestoreAsync(Spoke, blob, _ => { }, Ct);

        var record = Assert.Single(await ListAsync("spoke", "note-version", "n1"));
        Assert.Equal(expires, record.Expires);
        Assert.False(record.Enabled);
        Assert.Equal(added.Version, record.Key.Version);
        Assert.Equal(added.Created, record.Created);
    }

    [Fact]
    public async Task Update_changes_payload_enabled_and_expiry_and_keeps_created()
    {
        var added = await _notes.AddVersionAsync(Vault, "n1", new NotePayload("one", null), true, null, Ct);
        _deployment.Time.Advance(TimeSpan.FromMinutes(3));
        var expires = TestDeployment.Start.AddDays(1);

        var updated = await _notes.UpdateAsync(Vault, "n1", added.Version, v => new VersionChange<NotePayload>(v.Payload with { Text = "two" }, false, expires), Ct);

        Assert.Equal("two", updated.Payload.Text);
        Assert.False(updated.Enabled);
        Assert.Equal(expires, updated.Expires);
        Assert.Equal(added.Created, updated.Created);
        Assert.Equal(TestDeployment.Start.AddMinutes(3), updated.Updated);
        var stored = await _notes.GetAsync(Vault, "n1", null, Ct);
        Assert.Equal(updated, stored with { Payload = updated.Payload });
        Assert.Equal("two", stored.Payload.Text);
    }

    [Fact]
    public async Task Update_that_throws_changes_nothing_and_frees_the_write_gate()
    {
        var added = await _notes.AddVersionAsync(Vault, "n1", new NotePayload("one", null), true, null, Ct);

        await Assert.ThrowsAsync<KeyhubException>(() => _notes.UpdateAsync(Vault, "n1", null, _ => throw Errors.Errors.BadParameter("no"), Ct));

        Assert.Equal(added, (await _notes.GetAsync(Vault, "n1", null, Ct)) with { Payload = added.Payload });
        var timeout = Task.Delay(TimeSpan.FromSeconds(5));
        var next = _notes.AddVersionAsync(Vault, "n1", new NotePayload("two", null), true, null, Ct);
        Assert.Same(next, await Task.WhenAny(next, timeout));
    }

    [Fact]
    public async Task Errors_use_the_kind_noun()
    {
        var notFound = await Assert.ThrowsAsync<KeyhubException>(() => _notes.GetAsync(Vault, "absent", null, Ct));
        await _notes.AddVersionAsync(Vault, "n1", new NotePayload("one", null), true, null, Ct);
        await _notes.DeleteAsync(Vault, "n1", Ct);
        var conflict = await Assert.ThrowsAsync<KeyhubException>(() => _notes.AddVersionAsync(Vault, "n1", new NotePayload("two", null), true, null, Ct));

        Assert.Equal((404, "NoteNotFound"), (notFound.Status, notFound.Code));
        Assert.Contains("note", notFound.Message, StringComparison.Ordinal);
        Assert.Equal((409, "ObjectIsDeletedButRecoverable"), (conflict.Status, conflict.InnerCode));
    }

    [Fact]
    public async Task Payloads_and_display_names_are_stored_encrypted()
    {
        await _notes.AddVersionAsync(Vault, "Visible-Name", new NotePayload("plain words here", null), true, null, Ct);

        var records = (await ListAsync("hub", "note", "visible-name")).Concat(await ListAsync("hub", "note-version", "visible-name"));

        Assert.All(records, r =>
        {
            var text = System.Text.Encoding.UTF8.GetString(r.Payload);
            Assert.DoesNotContain("plain words", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Visible-Name", text, StringComparison.Ordinal);
        });
    }

    private Task PutAsync(RecordKey key) => _deployment.Store.WriteAsync(
        [new RecordWrite.Put(new StoredRecord { Key = key, Created = TestDeployment.Start, Updated = TestDeployment.Start, Payload = [1, 2, 3] })],
        Ct);

    private Task<IReadOnlyList<StoredRecord>> ListAsync(string vault, string kind, string name) =>
        _deployment.Store.ListAsync(new RecordQuery(vault, kind) { Name = name, Deleted = DeletedFilter.Any, Limit = 1000 }, Ct);
}

internal sealed record NotePayload(string Text, long? Expires) : IExpiringPayload;
