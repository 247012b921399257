using System.Security.Cryptography;
using System.Text;
using Keyhub.Core.Errors;
using Keyhub.Core.Keys;
using Keyhub.Core.Secrets;
using Keyhub.Core.Storage;
using Keyhub.Core.Tests.Support;
using Keyhub.Core.Vaults;

namespace Keyhub.Core.Tests.Keys;

public sealed class KeyEngineTests : IAsyncLifetime
{
    private static readonly VaultProperties Vault = new() { Name = "hub" };
    private static readonly string[] KeyKinds = ["key", "key-version", "key-policy", "key-event"];
    private static readonly string OpaqueMessage = KeyCrypto.DecryptionFailed().Message;
    private static CancellationToken Ct => CancellationToken.None;
    private TestDeployment _deployment = null!;
    private KeyEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _deployment = await TestDeployment.StartAsync();
        _engine = new KeyEngine(_deployment.Store, _deployment.Seal, _deployment.Time);
    }

    public Task DisposeAsync()
    {
        _deployment.Dispose();
        return Task.CompletedTask;
    }

    // ---- create and import ----

    [Fact]
    public async Task Created_RSA_key_returns_the_public_JWK_and_every_RSA_operation()
    {
        var key = await _engine.CreateAsync(Vault, "rsa-key", new NewKey("RSA"), Ct);

        Assert.Equal(["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"], key.KeyOps);
        Assert.Equal("RSA", key.PublicKey.Kty);
        Assert.Equal(256, key.PublicKey.N!.Length);
        Assert.Equal(new byte[] { 1, 0, 1 }, key.PublicKey.E);
        AssertPublicOnly(key);
        Assert.Equal(TestDeployment.Start, key.Created);
        Assert.Matches("^[0-9a-f]{32}$", key.Version);
    }

    [Theory]
    [InlineData("P-256")]
    [InlineData("P-521")]
    [InlineData("P-256K")]
    public async Task Created_EC_key_returns_crv_x_y_and_sign_verify(string crv)
    {
        var key = await _engine.CreateAsync(Vault, "ec-key", new NewKey("EC") { Curve = crv }, Ct);

        Assert.Equal(["sign", "verify"], key.KeyOps);
        Assert.Equal(crv, key.PublicKey.Crv);
        Assert.NotNull(key.PublicKey.X);
        Assert.NotNull(key.PublicKey.Y);
        AssertPublicOnly(key);
    }

    [Fact]
    public async Task Created_oct_key_returns_only_its_kty_and_the_AES_operations()
    {
        var key = await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct") { KeySize = 128 }, Ct);

        Assert.Equal(["encrypt", "decrypt", "wrapKey", "unwrapKey"], key.KeyOps);
        Assert.Equal(new KeyMaterial { Kty = "oct" }, key.PublicKey);
    }

    [Theory]
    [InlineData("RSA", new[] { "encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey" })]
    [InlineData("EC", new[] { "sign", "verify" })]
    [InlineData("oct", new[] { "encrypt", "decrypt", "wrapKey", "unwrapKey" })]
    public async Task Imported_key_without_key_ops_gets_every_operation_of_its_type(string kty, string[] expected)
    {
        var key = await _engine.ImportAsync(Vault, "imported", new ImportedKey(Material(kty)), Ct);

        Assert.Equal(expected, key.KeyOps);
        AssertPublicOnly(key);
    }

    [Fact]
    public async Task Imported_key_keeps_its_public_material_and_does_what_the_original_does()
    {
        var material = TestKeys.FixedRsa();
        var key = await _engine.ImportAsync(Vault, "imported", new ImportedKey(TestKeys.Copy(material)), Ct);
        using var local = material.CreateRsa(includePrivate: true);
        var ciphertext = local.Encrypt("hello"u8.ToArray(), RSAEncryptionPadding.OaepSHA256);

        var decrypted = await _engine.OperateAsync(Vault, "imported", null, KeyOperations.Decrypt, new KeyOperationInput("RSA-OAEP-256", ciphertext), Ct);

        Assert.Equal(material.N, key.PublicKey.N);
        Assert.Equal(material.E, key.PublicKey.E);
        Assert.Equal("hello"u8.ToArray(), decrypted.Value);
    }

    [Fact]
    public async Task Requested_key_ops_are_kept_without_duplicates()
    {
        var key = await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct") { KeyOps = ["wrapKey", "unwrapKey", "wrapKey"] }, Ct);

        Assert.Equal(["wrapKey", "unwrapKey"], key.KeyOps);
        Assert.Equal(["wrapKey", "unwrapKey"], (await _engine.GetAsync(Vault, "aes-key", null, Ct)).KeyOps);
    }

    [Theory]
    [InlineData("EC", "encrypt")]
    [InlineData("EC", "wrapKey")]
    [InlineData("oct", "sign")]
    [InlineData("oct", "verify")]
    [InlineData("RSA", "deriveKey")]
    [InlineData("RSA", "Sign")]
    [InlineData("oct", "")]
    public async Task Key_ops_not_valid_for_the_key_type_are_a_bad_parameter_and_nothing_is_stored(string kty, string op)
    {
        await AssertErrorAsync(400, "BadParameter", null, () => _engine.ImportAsync(Vault, "bad-ops", new ImportedKey(Material(kty)) { KeyOps = [op] }, Ct));
        if (kty != "RSA")
        {
            await AssertErrorAsync(400, "BadParameter", null, () => _engine.CreateAsync(Vault, "bad-ops", new NewKey(kty) { KeyOps = [op] }, Ct));
        }

        await AssertErrorAsync(404, "KeyNotFound", null, () => _engine.GetAsync(Vault, "bad-ops", null, Ct));
        await AssertNoRecordsAsync("bad-ops");
    }

    [Theory]
    [InlineData("RSA-HSM")]
    [InlineData("EC-HSM")]
    [InlineData("oct-HSM")]
    public async Task HSM_key_type_is_refused_with_the_reason_and_nothing_is_stored(string kty)
    {
        var error = await AssertErrorAsync(400, "BadParameter", null, () => _engine.CreateAsync(Vault, "hsm-key", new NewKey(kty), Ct));

        Assert.Contains("HSM", error.Message, StringComparison.Ordinal);
        await AssertNoRecordsAsync("hsm-key");
    }

    [Fact]
    public async Task Invalid_import_is_a_bad_parameter_and_nothing_is_stored()
    {
        var material = TestKeys.FixedRsa();

        await AssertErrorAsync(400, "BadParameter", null, () => _engine.ImportAsync(Vault, "broken", new ImportedKey(material with { QI = null }), Ct));
        await AssertErrorAsync(400, "BadParameter", null, () => _engine.ImportAsync(Vault, "broken", new ImportedKey(material with { N = TestKeys.Rsa().N }), Ct));
        await AssertErrorAsync(400, "BadParameter", null, () => _engine.ImportAsync(Vault, "broken", new ImportedKey(new KeyMaterial { Kty = "oct", K = new byte[20] }), Ct));

        await AssertNoRecordsAsync("broken");
    }

    [Theory]
    [InlineData("")]
    [InlineData("a_b")]
    [InlineData("../key")]
    [InlineData("a%2Fb")]
    public async Task Invalid_key_name_is_a_bad_parameter(string name)
    {
        await AssertErrorAsync(400, "BadParameter", null, () => _engine.CreateAsync(Vault, name, new NewKey("oct"), Ct));
        await AssertErrorAsync(400, "BadParameter", null, () => _engine.GetAsync(Vault, name, null, Ct));
    }

    // ---- get, list, update ----

    [Fact]
    public async Task Get_returns_the_latest_or_the_named_version_and_list_versions_shows_each()
    {
        var v1 = await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);
        _deployment.Time.Advance(TimeSpan.FromMinutes(1));
        var v2 = await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);

        Assert.Equal(v2.Version, (await _engine.GetAsync(Vault, "aes-key", null, Ct)).Version);
        Assert.Equal(v1.Version, (await _engine.GetAsync(Vault, "AES-KEY", v1.Version.ToUpperInvariant(), Ct)).Version);
        var versions = await _engine.ListVersionsAsync(Vault, "aes-key", null, 25, Ct);
        Assert.Equal(new[] { v1.Version, v2.Version }.Order(), versions.Items.Select(v => v.Version).Order());
        Assert.All(versions.Items, AssertPublicOnly);
        await AssertErrorAsync(404, "KeyNotFound", null, () => _engine.GetAsync(Vault, "aes-key", "0123456789abcdef0123456789abcdef", Ct));
    }

    [Fact]
    public async Task List_pages_through_keys_in_name_order_with_only_public_material()
    {
        foreach (var name in new[] { "k-c", "k-a", "k-b" })
        {
            await _engine.CreateAsync(Vault, name, new NewKey("EC"), Ct);
        }

        var first = await _engine.ListAsync(Vault, null, 2, Ct);
        var second = await _engine.ListAsync(Vault, first.ContinueAfter, 2, Ct);

        Assert.Equal(["k-a", "k-b"], first.Items.Select(k => k.Name));
        Assert.Equal(["k-c"], second.Items.Select(k => k.Name));
        Assert.Null(second.ContinueAfter);
        Assert.All(first.Items.Concat(second.Items), AssertPublicOnly);
    }

    [Fact]
    public async Task Update_changes_key_ops_and_operations_follow_them()
    {
        var key = await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);
        var wrapped = await _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.WrapKey, new KeyOperationInput("A256KW", new byte[32]), Ct);

        var updated = await _engine.UpdateAsync(Vault, "aes-key", key.Version, new KeyPropertiesUpdate { KeyOps = ["encrypt", "decrypt"] }, Ct);

        Assert.Equal(["encrypt", "decrypt"], updated.KeyOps);
        Assert.Equal(["encrypt", "decrypt"], (await _engine.GetAsync(Vault, "aes-key", null, Ct)).KeyOps);
        Assert.Equal(key.PublicKey, updated.PublicKey);
        await AssertErrorAsync(403, "Forbidden", "KeyOperationForbidden", () =>
            _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.UnwrapKey, new KeyOperationInput("A256KW", wrapped.Value), Ct));
        await _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Encrypt, new KeyOperationInput("A256GCM", [1]), Ct);
    }

    [Theory]
    [InlineData("sign")]
    [InlineData("verify")]
    [InlineData("import")]
    public async Task Update_with_key_ops_not_valid_for_the_type_is_a_bad_parameter_and_changes_nothing(string op)
    {
        var key = await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct") { KeyOps = ["encrypt"] }, Ct);

        await AssertErrorAsync(400, "BadParameter", null, () =>
            _engine.UpdateAsync(Vault, "aes-key", null, new KeyPropertiesUpdate { KeyOps = ["decrypt", op], Enabled = false }, Ct));

        var current = await _engine.GetAsync(Vault, "aes-key", null, Ct);
        Assert.Equal(["encrypt"], current.KeyOps);
        Assert.True(current.Enabled);
        Assert.Equal(key.Updated, current.Updated);
    }

    [Fact]
    public async Task Update_changes_tags_enabled_and_dates_and_keeps_the_rest()
    {
        var key = await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct")
        {
            KeyOps = ["encrypt", "decrypt"],
            Tags = new Dictionary<string, string> { ["env"] = "prod" },
        }, Ct);
        _deployment.Time.Advance(TimeSpan.FromMinutes(5));
        var expires = TestDeployment.Start.AddDays(30);

        var updated = await _engine.UpdateAsync(Vault, "aes-key", null, new KeyPropertiesUpdate
        {
            Tags = new Dictionary<string, string> { ["env"] = "test" },
            Enabled = false,
            Expires = expires,
        }, Ct);

        Assert.Equal("test", updated.Tags!["env"]);
        Assert.False(updated.Enabled);
        Assert.Equal(expires, updated.Expires);
        Assert.Equal(["encrypt", "decrypt"], updated.KeyOps);
        Assert.Equal(key.Created, updated.Created);
        Assert.Equal(TestDeployment.Start.AddMinutes(5), updated.Updated);
    }

    // ---- delete, recover, purge ----

    [Fact]
    public async Task Deleted_key_is_not_found_until_recovered_and_its_name_cannot_be_reused()
    {
        var key = await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);
        var encrypted = await _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Encrypt, new KeyOperationInput("A256GCM", "secret"u8.ToArray()), Ct);

        var deleted = await _engine.DeleteAsync(Vault, "aes-key", Ct);

        Assert.Equal(key.Version, deleted.Latest.Version);
        Assert.Equal(TestDeployment.Start, deleted.DeletedDate);
        Assert.Equal(TestDeployment.Start.AddDays(90), deleted.ScheduledPurgeDate);
        AssertPublicOnly(deleted.Latest);
        await AssertErrorAsync(404, "KeyNotFound", null, () => _engine.GetAsync(Vault, "aes-key", null, Ct));
        await AssertErrorAsync(404, "KeyNotFound", null, () => _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Encrypt, new KeyOperationInput("A256GCM", [1]), Ct));
        await AssertErrorAsync(409, "Conflict", "ObjectIsDeletedButRecoverable", () => _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct));
        Assert.Equal(key.Version, (await _engine.GetDeletedAsync(Vault, "aes-key", Ct)).Latest.Version);
        Assert.Equal(["aes-key"], (await _engine.ListDeletedAsync(Vault, null, 25, Ct)).Items.Select(d => d.Latest.Name));
        Assert.Empty((await _engine.ListAsync(Vault, null, 25, Ct)).Items);

        var recovered = await _engine.RecoverAsync(Vault, "aes-key", Ct);

        Assert.Equal(key.Version, recovered.Version);
        var decrypted = await _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Decrypt, DecryptInput(encrypted), Ct);
        Assert.Equal("secret"u8.ToArray(), decrypted.Value);
    }

    [Fact]
    public async Task Purged_key_is_gone_and_its_name_can_be_reused()
    {
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);
        await _engine.DeleteAsync(Vault, "aes-key", Ct);

        await _engine.PurgeAsync(Vault, "aes-key", Ct);

        await AssertErrorAsync(404, "KeyNotFound", null, () => _engine.GetDeletedAsync(Vault, "aes-key", Ct));
        await AssertNoRecordsAsync("aes-key");
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);
        Assert.Single((await _engine.ListVersionsAsync(Vault, "aes-key", null, 25, Ct)).Items);
    }

    // ---- backup and restore ----

    [Fact]
    public async Task Backup_then_restore_after_purge_brings_back_every_version_and_old_ciphertexts_decrypt()
    {
        var v1 = await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct") { Tags = new Dictionary<string, string> { ["env"] = "prod" } }, Ct);
        var c1 = await Encrypt("aes-key", "one");
        var v2 = await _engine.RotateAsync(Vault, "aes-key", Ct);
        var c2 = await Encrypt("aes-key", "two");
        await _engine.UpdateAsync(Vault, "aes-key", v1.Version, new KeyPropertiesUpdate { KeyOps = ["decrypt"] }, Ct);
        var blob = await _engine.BackupAsync(Vault, "aes-key", Ct);
        await _engine.DeleteAsync(Vault, "aes-key", Ct);
        await _engine.PurgeAsync(Vault, "aes-key", Ct);

        var restored = await _engine.RestoreAsync(Vault, blob, Ct);

        Assert.Equal(v2.Version, restored.Version);
        AssertPublicOnly(restored);
        Assert.Equal("prod", restored.Tags!["env"]);
        Assert.Equal(["decrypt"], (await _engine.GetAsync(Vault, "aes-key", v1.Version, Ct)).KeyOps);
        Assert.Equal("one", await Decrypt("aes-key", v1.Version, c1));
        Assert.Equal("two", await Decrypt("aes-key", null, c2));
    }

    [Fact]
    public async Task Restore_of_a_blob_from_another_deployment_is_a_bad_parameter_and_stores_nothing()
    {
        using var other = await TestDeployment.StartAsync();
        var otherEngine = new KeyEngine(other.Store, other.Seal, other.Time);
        await otherEngine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);
        var blob = await otherEngine.BackupAsync(Vault, "aes-key", Ct);

        await AssertErrorAsync(400, "BadParameter", null, () => _engine.RestoreAsync(Vault, blob, Ct));

        await AssertNoRecordsAsync("aes-key");
    }

    [Fact]
    public async Task Secret_backup_cannot_be_restored_as_a_key()
    {
        var secrets = new SecretEngine(_deployment.Store, _deployment.Seal, _deployment.Time);
        await secrets.SetAsync(Vault, "shared-name", new NewSecret("value"), Ct);
        var blob = await secrets.BackupAsync(Vault, "shared-name", Ct);

        await AssertErrorAsync(400, "BadParameter", null, () => _engine.RestoreAsync(Vault, blob, Ct));

        await AssertNoRecordsAsync("shared-name");
    }

    [Fact]
    public async Task Key_backup_cannot_be_restored_as_a_secret()
    {
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);
        var blob = await _engine.BackupAsync(Vault, "aes-key", Ct);
        var secrets = new SecretEngine(_deployment.Store, _deployment.Seal, _deployment.Time);

        await AssertErrorAsync(400, "BadParameter", null, () => secrets.RestoreAsync(Vault, blob, Ct));
    }

    [Fact]
    public async Task Restore_when_the_key_exists_is_a_conflict()
    {
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);
        var blob = await _engine.BackupAsync(Vault, "aes-key", Ct);

        await AssertErrorAsync(409, "Conflict", null, () => _engine.RestoreAsync(Vault, blob, Ct));
    }

    [Fact]
    public async Task Backup_blob_holds_no_key_material_in_the_clear()
    {
        var rsa = TestKeys.FixedRsa();
        var oct = TestKeys.Oct(256, 0x61);
        await _engine.ImportAsync(Vault, "rsa-key", new ImportedKey(TestKeys.Copy(rsa)), Ct);
        await _engine.ImportAsync(Vault, "aes-key", new ImportedKey(TestKeys.Copy(oct)), Ct);

        var blobs = new[] { await _engine.BackupAsync(Vault, "rsa-key", Ct), await _engine.BackupAsync(Vault, "aes-key", Ct) };

        foreach (var blob in blobs)
        {
            AssertNotContained(blob, rsa.D!, rsa.P!, rsa.Q!, rsa.DP!, rsa.DQ!, rsa.QI!, oct.K!);
            Assert.DoesNotContain("rsa-key", Encoding.UTF8.GetString(blob), StringComparison.Ordinal);
        }
    }

    // ---- rotation ----

    public static TheoryData<string> RotatableKinds => ["oct 128", "oct 192", "EC P-384", "EC P-256K", "RSA"];

    [Theory]
    [MemberData(nameof(RotatableKinds))]
    public async Task Rotate_makes_a_new_latest_version_with_the_same_type_size_curve_key_ops_and_tags(string kind)
    {
        var (material, ops) = kind switch
        {
            "oct 128" => (TestKeys.Oct(128), new[] { "wrapKey", "unwrapKey" }),
            "oct 192" => (TestKeys.Oct(192), new[] { "encrypt" }),
            "EC P-384" => (TestKeys.Ec(Curves.P384), new[] { "sign" }),
            "EC P-256K" => (TestKeys.Ec(Curves.P256K), new[] { "verify", "sign" }),
            _ => (TestKeys.Rsa(), new[] { "decrypt", "unwrapKey", "verify" }),
        };
        var tags = new Dictionary<string, string> { ["team"] = "payments" };
        var v1 = await _engine.ImportAsync(Vault, "rotating", new ImportedKey(TestKeys.Copy(material)) { KeyOps = ops, Tags = tags }, Ct);
        _deployment.Time.Advance(TimeSpan.FromHours(1));

        var v2 = await _engine.RotateAsync(Vault, "rotating", Ct);

        Assert.NotEqual(v1.Version, v2.Version);
        Assert.Equal(v2.Version, (await _engine.GetAsync(Vault, "rotating", null, Ct)).Version);
        Assert.Equal(v1.PublicKey.Kty, v2.PublicKey.Kty);
        Assert.Equal(v1.PublicKey.Size, v2.PublicKey.Size);
        Assert.Equal(v1.PublicKey.Crv, v2.PublicKey.Crv);
        Assert.Equal(v1.PublicKey.E, v2.PublicKey.E);
        Assert.Equal(ops, v2.KeyOps);
        Assert.Equal("payments", v2.Tags!["team"]);
        Assert.True(v2.Enabled);
        Assert.Null(v2.Expires);
        Assert.Equal(TestDeployment.Start.AddHours(1), v2.Created);
        AssertPublicOnly(v2);
        if (v1.PublicKey.Kty != "oct")
        {
            Assert.NotEqual(v1.PublicKey.N ?? v1.PublicKey.X, v2.PublicKey.N ?? v2.PublicKey.X);
        }
        Assert.Equal(2, (await _engine.ListVersionsAsync(Vault, "rotating", null, 25, Ct)).Items.Count);
    }

    [Fact]
    public async Task Rotated_oct_key_is_new_material_of_the_same_size()
    {
        // oct keys have no public part to compare: an A128GCM ciphertext of v1 must not open with v2.
        await _engine.ImportAsync(Vault, "aes-key", new ImportedKey(TestKeys.Oct(128)), Ct);
        var encrypted = await _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Encrypt, new KeyOperationInput("A128GCM", [1, 2, 3]), Ct);

        var v2 = await _engine.RotateAsync(Vault, "aes-key", Ct);

        await _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Encrypt, new KeyOperationInput("A128GCM", [1]), Ct);
        var error = await AssertErrorAsync(400, "BadParameter", null, () => _engine.OperateAsync(Vault, "aes-key", v2.Version, KeyOperations.Decrypt, DecryptInput(encrypted, "A128GCM"), Ct));
        Assert.Equal(OpaqueMessage, error.Message);
    }

    [Fact]
    public async Task Rotate_takes_the_new_version_expiry_from_the_policy_expiryTime()
    {
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct") { Expires = TestDeployment.Start.AddDays(10) }, Ct);
        await _engine.SetRotationPolicyAsync(Vault, "aes-key", new RotationPolicy { ExpiryTime = "P90D" }, Ct);
        _deployment.Time.Advance(TimeSpan.FromDays(2));

        var rotated = await _engine.RotateAsync(Vault, "aes-key", Ct);

        Assert.Equal(TestDeployment.Start.AddDays(92), rotated.Expires);
        Assert.Equal(TestDeployment.Start.AddDays(92), (await _engine.GetAsync(Vault, "aes-key", null, Ct)).Expires);
    }

    [Fact]
    public async Task Old_versions_still_decrypt_after_rotation_and_versionless_operations_use_the_latest()
    {
        var v1 = await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);
        var c1 = await _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Encrypt, new KeyOperationInput("A256GCM", "first"u8.ToArray()), Ct);
        var w1 = await _engine.OperateAsync(Vault, "aes-key", "", KeyOperations.WrapKey, new KeyOperationInput("A256KW", new byte[16]), Ct);

        var v2 = await _engine.RotateAsync(Vault, "aes-key", Ct);
        var c2 = await _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Encrypt, new KeyOperationInput("A256GCM", "second"u8.ToArray()), Ct);

        Assert.Equal(v1.Version, c1.Version);
        Assert.Equal(v1.Version, w1.Version);
        Assert.Equal(v2.Version, c2.Version);
        Assert.Equal("aes-key", c2.Name);
        Assert.Equal("first", await Decrypt("aes-key", v1.Version, c1));
        Assert.Equal("second", await Decrypt("aes-key", null, c2));
        Assert.Equal(new byte[16], (await _engine.OperateAsync(Vault, "aes-key", v1.Version, KeyOperations.UnwrapKey, new KeyOperationInput("A256KW", w1.Value), Ct)).Value);
        var wrongVersion = await AssertErrorAsync(400, "BadParameter", null, () => _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Decrypt, DecryptInput(c1), Ct));
        Assert.Equal(OpaqueMessage, wrongVersion.Message);
    }

    [Fact]
    public async Task Rotate_of_a_missing_or_deleted_key_is_KeyNotFound()
    {
        await AssertErrorAsync(404, "KeyNotFound", null, () => _engine.RotateAsync(Vault, "absent", Ct));
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);
        await _engine.DeleteAsync(Vault, "aes-key", Ct);

        await AssertErrorAsync(404, "KeyNotFound", null, () => _engine.RotateAsync(Vault, "aes-key", Ct));
    }

    // ---- rotation policy ----

    [Fact]
    public async Task Policy_of_a_key_without_one_is_the_default_Notify_30_days_before_expiry()
    {
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);

        var policy = await _engine.GetRotationPolicyAsync(Vault, "aes-key", Ct);

        var action = Assert.Single(policy.LifetimeActions);
        Assert.Equal("Notify", action.Action);
        Assert.Equal("P30D", action.TimeBeforeExpiry);
        Assert.Null(action.TimeAfterCreate);
        Assert.Null(policy.ExpiryTime);
    }

    [Fact]
    public async Task Policy_of_a_missing_key_is_KeyNotFound()
    {
        await AssertErrorAsync(404, "KeyNotFound", null, () => _engine.GetRotationPolicyAsync(Vault, "absent", Ct));
        await AssertErrorAsync(404, "KeyNotFound", null, () => _engine.SetRotationPolicyAsync(Vault, "absent", RotatePolicy("P30D"), Ct));
        await AssertNoRecordsAsync("absent");
    }

    [Fact]
    public async Task Set_policy_is_stored_normalised_with_created_and_updated_times()
    {
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);

        var set = await _engine.SetRotationPolicyAsync(Vault, "aes-key", new RotationPolicy
        {
            LifetimeActions = [new LifetimeAction("P0Y90D", null, "rotate"), new LifetimeAction(null, "P30D", "notify")],
            ExpiryTime = "P1Y",
        }, Ct);
        _deployment.Time.Advance(TimeSpan.FromDays(1));
        var reset = await _engine.SetRotationPolicyAsync(Vault, "aes-key", new RotationPolicy { LifetimeActions = [new LifetimeAction("P60D", null, "ROTATE")] }, Ct);
        var got = await _engine.GetRotationPolicyAsync(Vault, "aes-key", Ct);

        Assert.Equal(new[] { new LifetimeAction("P90D", null, "Rotate"), new LifetimeAction(null, "P30D", "Notify") }, set.LifetimeActions);
        Assert.Equal("P1Y", set.ExpiryTime);
        Assert.Equal(TestDeployment.Start, set.Created);
        Assert.Equal(new[] { new LifetimeAction("P60D", null, "Rotate") }, got.LifetimeActions);
        Assert.Null(got.ExpiryTime);
        Assert.Equal(TestDeployment.Start, got.Created);
        Assert.Equal(TestDeployment.Start.AddDays(1), got.Updated);
        Assert.Equal(got, reset with { LifetimeActions = got.LifetimeActions });
    }

    public static TheoryData<string> InvalidPolicies =>
    [
        "timeAfterCreate P6D",
        "expiryTime P27D",
        "both triggers",
        "no trigger",
        "Notify with timeAfterCreate",
        "unknown action",
        "two Rotate actions",
        "three actions",
        "not a duration",
    ];

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public async Task Invalid_policy_is_a_bad_parameter_and_the_stored_policy_is_unchanged(string defect)
    {
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);
        await _engine.SetRotationPolicyAsync(Vault, "aes-key", RotatePolicy("P30D"), Ct);
        var policy = defect switch
        {
            "timeAfterCreate P6D" => RotatePolicy("P6D"),
            "expiryTime P27D" => RotatePolicy("P30D") with { ExpiryTime = "P27D" },
            "both triggers" => new RotationPolicy { LifetimeActions = [new LifetimeAction("P30D", "P30D", "Rotate")] },
            "no trigger" => new RotationPolicy { LifetimeActions = [new LifetimeAction(null, null, "Rotate")] },
            "Notify with timeAfterCreate" => new RotationPolicy { LifetimeActions = [new LifetimeAction("P30D", null, "Notify")] },
            "unknown action" => new RotationPolicy { LifetimeActions = [new LifetimeAction("P30D", null, "Delete")] },
            "two Rotate actions" => new RotationPolicy { LifetimeActions = [new LifetimeAction("P30D", null, "Rotate"), new LifetimeAction(null, "P7D", "rotate")] },
            "three actions" => new RotationPolicy
            {
                LifetimeActions = [new LifetimeAction("P30D", null, "Rotate"), new LifetimeAction(null, "P7D", "Notify"), new LifetimeAction(null, "P8D", "Notify")],
            },
            _ => RotatePolicy("ninety days"),
        };

        await AssertErrorAsync(400, "BadParameter", null, () => _engine.SetRotationPolicyAsync(Vault, "aes-key", policy, Ct));

        Assert.Equal(new[] { new LifetimeAction("P30D", null, "Rotate") }, (await _engine.GetRotationPolicyAsync(Vault, "aes-key", Ct)).LifetimeActions);
    }

    // ---- automatic rotation ----

    [Fact]
    public async Task Policy_rotation_does_nothing_before_timeAfterCreate()
    {
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);
        await _engine.SetRotationPolicyAsync(Vault, "aes-key", RotatePolicy("P7D"), Ct);
        _deployment.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));

        Assert.Equal(0, await _engine.ApplyRotationPoliciesAsync([Vault], Ct));

        Assert.Single((await _engine.ListVersionsAsync(Vault, "aes-key", null, 25, Ct)).Items);
    }

    [Fact]
    public async Task Policy_rotation_makes_exactly_one_version_once_timeAfterCreate_has_passed_and_not_again_at_once()
    {
        var v1 = await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct") { KeySize = 192, KeyOps = ["encrypt", "decrypt"] }, Ct);
        var c1 = await Encrypt("aes-key", "before rotation", "A192GCM");
        await _engine.SetRotationPolicyAsync(Vault, "aes-key", RotatePolicy("P7D") with { ExpiryTime = "P28D" }, Ct);
        _deployment.Time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));

        Assert.Equal(1, await _engine.ApplyRotationPoliciesAsync([Vault], Ct));
        Assert.Equal(0, await _engine.ApplyRotationPoliciesAsync([Vault], Ct));

        var versions = (await _engine.ListVersionsAsync(Vault, "aes-key", null, 25, Ct)).Items;
        Assert.Equal(2, versions.Count);
        var latest = await _engine.GetAsync(Vault, "aes-key", null, Ct);
        Assert.NotEqual(v1.Version, latest.Version);
        Assert.Equal(["encrypt", "decrypt"], latest.KeyOps);
        Assert.Equal(_deployment.Time.GetUtcNow().AddDays(28), latest.Expires);
        Assert.Equal("before rotation", await Decrypt("aes-key", v1.Version, c1, "A192GCM"));
        Assert.Equal(latest.Version, (await _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Encrypt, new KeyOperationInput("A192GCM", [1]), Ct)).Version);

        // The new version's own timeAfterCreate comes round a week later.
        _deployment.Time.Advance(TimeSpan.FromDays(7));
        Assert.Equal(1, await _engine.ApplyRotationPoliciesAsync([Vault], Ct));
        Assert.Equal(3, (await _engine.ListVersionsAsync(Vault, "aes-key", null, 25, Ct)).Items.Count);
    }

    [Fact]
    public async Task Policy_rotation_by_timeBeforeExpiry_rotates_when_the_latest_version_nears_its_expiry()
    {
        await _engine.CreateAsync(Vault, "ec-key", new NewKey("EC") { Curve = "P-384", Expires = TestDeployment.Start.AddDays(60) }, Ct);
        await _engine.SetRotationPolicyAsync(Vault, "ec-key", new RotationPolicy
        {
            LifetimeActions = [new LifetimeAction(null, "P30D", "Rotate")],
            ExpiryTime = "P90D",
        }, Ct);

        _deployment.Time.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await _engine.ApplyRotationPoliciesAsync([Vault], Ct));
        _deployment.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await _engine.ApplyRotationPoliciesAsync([Vault], Ct));
        Assert.Equal(0, await _engine.ApplyRotationPoliciesAsync([Vault], Ct));

        var latest = await _engine.GetAsync(Vault, "ec-key", null, Ct);
        Assert.Equal("P-384", latest.PublicKey.Crv);
        Assert.Equal(TestDeployment.Start.AddDays(120), latest.Expires);

        // 30 days before the new version's expiry, it rotates again.
        _deployment.Time.Advance(TimeSpan.FromDays(60));
        Assert.Equal(1, await _engine.ApplyRotationPoliciesAsync([Vault], Ct));
        Assert.Equal(3, (await _engine.ListVersionsAsync(Vault, "ec-key", null, 25, Ct)).Items.Count);
    }

    [Fact]
    public async Task Notify_is_recorded_once_per_version_and_does_not_rotate()
    {
        var v1 = await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct") { Expires = TestDeployment.Start.AddDays(60) }, Ct);
        await _engine.SetRotationPolicyAsync(Vault, "aes-key", new RotationPolicy
        {
            LifetimeActions = [new LifetimeAction(null, "P30D", "Notify")],
            ExpiryTime = "P60D",
        }, Ct);

        _deployment.Time.Advance(TimeSpan.FromDays(29));
        Assert.Equal(0, await _engine.ApplyRotationPoliciesAsync([Vault], Ct));
        Assert.Empty(await _engine.ListEventsAsync(Vault, "aes-key", Ct));

        _deployment.Time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(0, await _engine.ApplyRotationPoliciesAsync([Vault], Ct));
        Assert.Equal(0, await _engine.ApplyRotationPoliciesAsync([Vault], Ct));
        _deployment.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await _engine.ApplyRotationPoliciesAsync([Vault], Ct));

        var first = Assert.Single(await _engine.ListEventsAsync(Vault, "aes-key", Ct));
        Assert.Equal(new KeyEvent("Notify", "aes-key", v1.Version, TestDeployment.Start.AddDays(31)), first);
        Assert.Single((await _engine.ListVersionsAsync(Vault, "aes-key", null, 25, Ct)).Items);

        var v2 = await _engine.RotateAsync(Vault, "aes-key", Ct);
        _deployment.Time.Advance(TimeSpan.FromDays(31));
        await _engine.ApplyRotationPoliciesAsync([Vault], Ct);
        await _engine.ApplyRotationPoliciesAsync([Vault], Ct);

        var events = await _engine.ListEventsAsync(Vault, "AES-KEY", Ct);
        Assert.Equal(2, events.Count);
        Assert.Equal(new[] { v1.Version, v2.Version }.Order(), events.Select(e => e.KeyVersion).Order());
    }

    [Fact]
    public async Task Deleted_keys_do_not_rotate_and_recovered_ones_do()
    {
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);
        await _engine.SetRotationPolicyAsync(Vault, "aes-key", RotatePolicy("P7D"), Ct);
        await _engine.DeleteAsync(Vault, "aes-key", Ct);
        _deployment.Time.Advance(TimeSpan.FromDays(8));

        Assert.Equal(0, await _engine.ApplyRotationPoliciesAsync([Vault], Ct));
        Assert.Single(await _deployment.Store.ListAsync(new RecordQuery("hub", "key-version") { Name = "aes-key" }, Ct));

        await _engine.RecoverAsync(Vault, "aes-key", Ct);

        Assert.Equal(1, await _engine.ApplyRotationPoliciesAsync([Vault], Ct));
        Assert.Equal(2, (await _engine.ListVersionsAsync(Vault, "aes-key", null, 25, Ct)).Items.Count);
    }

    [Fact]
    public async Task Policies_of_a_vault_not_passed_in_are_not_applied()
    {
        var other = new VaultProperties { Name = "spoke" };
        await _engine.CreateAsync(other, "aes-key", new NewKey("oct"), Ct);
        await _engine.SetRotationPolicyAsync(other, "aes-key", RotatePolicy("P7D"), Ct);
        _deployment.Time.Advance(TimeSpan.FromDays(8));

        Assert.Equal(0, await _engine.ApplyRotationPoliciesAsync([Vault], Ct));
        Assert.Equal(1, await _engine.ApplyRotationPoliciesAsync([Vault, other], Ct));
    }

    [Fact]
    public async Task Purge_removes_the_policy_and_the_events_of_that_key_only()
    {
        foreach (var name in new[] { "aes-key", "aes-key2" })
        {
            await _engine.CreateAsync(Vault, name, new NewKey("oct") { Expires = TestDeployment.Start.AddDays(40) }, Ct);
            await _engine.SetRotationPolicyAsync(Vault, name, new RotationPolicy { LifetimeActions = [new LifetimeAction(null, "P30D", "Notify")] }, Ct);
        }
        _deployment.Time.Advance(TimeSpan.FromDays(11));
        await _engine.ApplyRotationPoliciesAsync([Vault], Ct);
        Assert.NotEmpty(await RecordsAsync("key-policy", "aes-key"));
        Assert.NotEmpty(await RecordsAsync("key-event", "aes-key"));

        await _engine.DeleteAsync(Vault, "aes-key", Ct);
        Assert.NotEmpty(await RecordsAsync("key-policy", "aes-key"));
        await _engine.PurgeAsync(Vault, "aes-key", Ct);

        await AssertNoRecordsAsync("aes-key");
        Assert.Single(await RecordsAsync("key-policy", "aes-key2"));
        Assert.Single(await RecordsAsync("key-event", "aes-key2"));
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);
        Assert.Equal(RotationPolicy.Default.LifetimeActions, (await _engine.GetRotationPolicyAsync(Vault, "aes-key", Ct)).LifetimeActions);
    }

    [Fact]
    public async Task Purge_after_retention_removes_the_policy_and_the_events_too()
    {
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct") { Expires = TestDeployment.Start.AddDays(40) }, Ct);
        await _engine.SetRotationPolicyAsync(Vault, "aes-key", new RotationPolicy { LifetimeActions = [new LifetimeAction(null, "P30D", "Notify")] }, Ct);
        _deployment.Time.Advance(TimeSpan.FromDays(11));
        await _engine.ApplyRotationPoliciesAsync([Vault], Ct);
        await _engine.DeleteAsync(Vault, "aes-key", Ct);
        _deployment.Time.Advance(TimeSpan.FromDays(90));

        Assert.Equal(1, await _engine.PurgeExpiredAsync(Ct));

        await AssertNoRecordsAsync("aes-key");
    }

    // ---- operation checks ----

    [Theory]
    [InlineData("encrypt")]
    [InlineData("decrypt")]
    [InlineData("wrapKey")]
    [InlineData("unwrapKey")]
    [InlineData("sign")]
    [InlineData("verify")]
    public async Task Disabled_key_refuses_every_operation_with_KeyDisabled(string operation)
    {
        await _engine.ImportAsync(Vault, "rsa-key", new ImportedKey(TestKeys.Rsa()) { Enabled = false }, Ct);

        await AssertErrorAsync(403, "Forbidden", "KeyDisabled", () => RunAsync("rsa-key", null, operation));
    }

    [Fact]
    public async Task Disabled_old_version_refuses_while_the_latest_works()
    {
        var v1 = await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);
        var c1 = await Encrypt("aes-key", "old");
        await _engine.RotateAsync(Vault, "aes-key", Ct);
        await _engine.UpdateAsync(Vault, "aes-key", v1.Version, new KeyPropertiesUpdate { Enabled = false }, Ct);

        await AssertErrorAsync(403, "Forbidden", "KeyDisabled", () => _engine.OperateAsync(Vault, "aes-key", v1.Version, KeyOperations.Decrypt, DecryptInput(c1), Ct));
        await Encrypt("aes-key", "new");

        await _engine.UpdateAsync(Vault, "aes-key", v1.Version, new KeyPropertiesUpdate { Enabled = true }, Ct);
        Assert.Equal("old", await Decrypt("aes-key", v1.Version, c1));
    }

    [Theory]
    [InlineData("encrypt")]
    [InlineData("wrapKey")]
    [InlineData("sign")]
    public async Task Key_before_its_activation_time_refuses_encrypt_wrap_and_sign_with_KeyNotYetValid(string operation)
    {
        await _engine.ImportAsync(Vault, "rsa-key", new ImportedKey(TestKeys.Rsa()) { NotBefore = TestDeployment.Start.AddHours(1) }, Ct);

        await AssertErrorAsync(403, "Forbidden", "KeyNotYetValid", () => RunAsync("rsa-key", null, operation));
    }

    [Fact]
    public async Task Key_before_its_activation_time_still_decrypts_unwraps_and_verifies()
    {
        // Azure's date-time controlled operations: nbf, like exp, only stops the key protecting new data.
        var material = TestKeys.Rsa();
        await _engine.ImportAsync(Vault, "rsa-key", new ImportedKey(TestKeys.Copy(material)) { NotBefore = TestDeployment.Start.AddHours(1) }, Ct);
        using var local = material.CreateRsa(includePrivate: true);
        var ciphertext = local.Encrypt("plain"u8.ToArray(), RSAEncryptionPadding.OaepSHA1);
        var digest = SHA256.HashData("document"u8);
        var signature = local.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        Assert.Equal("plain"u8.ToArray(), (await _engine.OperateAsync(Vault, "rsa-key", null, KeyOperations.Decrypt, new KeyOperationInput("RSA-OAEP", ciphertext), Ct)).Value);
        Assert.Equal("plain"u8.ToArray(), (await _engine.OperateAsync(Vault, "rsa-key", null, KeyOperations.UnwrapKey, new KeyOperationInput("RSA-OAEP", ciphertext), Ct)).Value);
        Assert.True((await _engine.VerifyAsync(Vault, "rsa-key", null, new KeyOperationInput("RS256", digest) { Signature = signature }, Ct)).Valid);
    }

    [Fact]
    public async Task Key_works_from_its_activation_time_on()
    {
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct") { NotBefore = TestDeployment.Start.AddHours(1) }, Ct);
        _deployment.Time.Advance(TimeSpan.FromHours(1));

        Assert.Equal("now", await Decrypt("aes-key", null, await Encrypt("aes-key", "now")));
    }

    [Fact]
    public async Task Expired_key_refuses_encrypt_wrap_and_sign_but_still_decrypts_unwraps_and_verifies()
    {
        await _engine.ImportAsync(Vault, "rsa-key", new ImportedKey(TestKeys.Rsa()) { Expires = TestDeployment.Start.AddDays(1) }, Ct);
        var digest = SHA256.HashData("document"u8);
        var encrypted = await _engine.OperateAsync(Vault, "rsa-key", null, KeyOperations.Encrypt, new KeyOperationInput("RSA-OAEP-256", "plain"u8.ToArray()), Ct);
        var wrapped = await _engine.OperateAsync(Vault, "rsa-key", null, KeyOperations.WrapKey, new KeyOperationInput("RSA-OAEP", new byte[32]), Ct);
        var signature = await _engine.OperateAsync(Vault, "rsa-key", null, KeyOperations.Sign, new KeyOperationInput("PS256", digest), Ct);

        _deployment.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        await AssertErrorAsync(403, "Forbidden", "KeyExpired", () => RunAsync("rsa-key", null, "encrypt"));
        await AssertErrorAsync(403, "Forbidden", "KeyExpired", () => RunAsync("rsa-key", null, "wrapKey"));
        await AssertErrorAsync(403, "Forbidden", "KeyExpired", () => RunAsync("rsa-key", null, "sign"));
        Assert.Equal("plain"u8.ToArray(), (await _engine.OperateAsync(Vault, "rsa-key", null, KeyOperations.Decrypt, new KeyOperationInput("RSA-OAEP-256", encrypted.Value), Ct)).Value);
        Assert.Equal(new byte[32], (await _engine.OperateAsync(Vault, "rsa-key", null, KeyOperations.UnwrapKey, new KeyOperationInput("RSA-OAEP", wrapped.Value), Ct)).Value);
        Assert.True((await _engine.VerifyAsync(Vault, "rsa-key", null, new KeyOperationInput("PS256", digest) { Signature = signature.Value }, Ct)).Valid);
    }

    [Theory]
    [InlineData("encrypt")]
    [InlineData("decrypt")]
    [InlineData("wrapKey")]
    [InlineData("unwrapKey")]
    [InlineData("sign")]
    [InlineData("verify")]
    public async Task Operation_not_in_key_ops_is_KeyOperationForbidden(string operation)
    {
        var allowed = KeyTypes.RsaOperations.Where(op => op != operation).ToList();
        await _engine.ImportAsync(Vault, "rsa-key", new ImportedKey(TestKeys.Rsa()) { KeyOps = allowed }, Ct);

        await AssertErrorAsync(403, "Forbidden", "KeyOperationForbidden", () => RunAsync("rsa-key", null, operation));
    }

    [Fact]
    public async Task Value_over_64_KiB_is_a_bad_parameter_and_64_KiB_is_accepted()
    {
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);

        await _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Encrypt, new KeyOperationInput("A256GCM", new byte[64 * 1024]), Ct);
        await AssertErrorAsync(400, "BadParameter", null, () =>
            _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Encrypt, new KeyOperationInput("A256GCM", new byte[64 * 1024 + 1]), Ct));
        await AssertErrorAsync(400, "BadParameter", null, () =>
            _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Decrypt, new KeyOperationInput("A256GCM", new byte[64 * 1024 + 1]) { Iv = new byte[12], AuthenticationTag = new byte[16] }, Ct));
    }

    [Fact]
    public async Task Operation_on_a_missing_key_or_version_is_KeyNotFound()
    {
        await AssertErrorAsync(404, "KeyNotFound", null, () => RunAsync("absent", null, "encrypt"));
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct"), Ct);

        await AssertErrorAsync(404, "KeyNotFound", null, () => RunAsync("aes-key", "0123456789abcdef0123456789abcdef", "encrypt"));
    }

    [Theory]
    [InlineData("EC", "ES256")]
    [InlineData("RSA", "RS384")]
    public async Task Sign_and_verify_through_the_engine_agree_and_a_changed_digest_does_not_verify(string kty, string alg)
    {
        var key = kty == "EC"
            ? await _engine.CreateAsync(Vault, "signer", new NewKey("EC"), Ct)
            : await _engine.ImportAsync(Vault, "signer", new ImportedKey(TestKeys.Rsa()), Ct);
        var digest = TestKeys.Digest(alg, "document"u8.ToArray());

        var signed = await _engine.OperateAsync(Vault, "signer", null, KeyOperations.Sign, new KeyOperationInput(alg, digest), Ct);

        Assert.Equal(key.Version, signed.Version);
        Assert.Equal(("signer", key.Version, true), await _engine.VerifyAsync(Vault, "signer", null, new KeyOperationInput(alg, digest) { Signature = signed.Value }, Ct));
        Assert.False((await _engine.VerifyAsync(Vault, "signer", key.Version, new KeyOperationInput(alg, TestKeys.Flip(digest, 0)) { Signature = signed.Value }, Ct)).Valid);
    }

    [Fact]
    public async Task Refused_and_failed_operations_change_nothing_stored()
    {
        await _engine.CreateAsync(Vault, "aes-key", new NewKey("oct") { KeyOps = ["encrypt", "decrypt"] }, Ct);
        var encrypted = await _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Encrypt, new KeyOperationInput("A256GCM", [1, 2, 3]), Ct);
        var before = await SnapshotAsync();

        await AssertErrorAsync(400, "BadParameter", null, () => _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Decrypt, DecryptInput(encrypted) with { Value = [9, 9, 9] }, Ct));
        await AssertErrorAsync(400, "BadParameter", null, () => _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Encrypt, new KeyOperationInput("A256GCM", [1]) { Iv = new byte[12] }, Ct));
        await AssertErrorAsync(400, "BadParameter", null, () => _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.Encrypt, new KeyOperationInput("RSA-OAEP", [1]), Ct));
        await AssertErrorAsync(403, "Forbidden", "KeyOperationForbidden", () => _engine.OperateAsync(Vault, "aes-key", null, KeyOperations.WrapKey, new KeyOperationInput("A256KW", new byte[16]), Ct));

        Assert.Equal(before, await SnapshotAsync());
    }

    // ---- material at rest ----

    [Fact]
    public async Task Stored_records_never_hold_private_or_symmetric_key_material_in_the_clear()
    {
        var rsa = TestKeys.FixedRsa();
        var ec = TestKeys.Ec(Curves.P521);
        var oct = TestKeys.Oct(256, 0x41);
        await _engine.ImportAsync(Vault, "rsa-key", new ImportedKey(TestKeys.Copy(rsa)), Ct);
        await _engine.ImportAsync(Vault, "ec-key", new ImportedKey(TestKeys.Copy(ec)) { Expires = TestDeployment.Start.AddDays(40) }, Ct);
        await _engine.ImportAsync(Vault, "aes-key", new ImportedKey(TestKeys.Copy(oct)), Ct);
        await _engine.UpdateAsync(Vault, "aes-key", null, new KeyPropertiesUpdate { Tags = new Dictionary<string, string> { ["a"] = "b" } }, Ct);
        await _engine.SetRotationPolicyAsync(Vault, "ec-key", new RotationPolicy { LifetimeActions = [new LifetimeAction(null, "P30D", "Notify")] }, Ct);
        _deployment.Time.Advance(TimeSpan.FromDays(11));
        await _engine.ApplyRotationPoliciesAsync([Vault], Ct);
        await _engine.DeleteAsync(Vault, "rsa-key", Ct);

        var records = new List<StoredRecord>();
        foreach (var kind in KeyKinds)
        {
            records.AddRange(await _deployment.Store.ListAsync(new RecordQuery("hub", kind) { Deleted = DeletedFilter.Any, Limit = 1000 }, Ct));
        }

        // Control: the scan does find material in a payload that was not encrypted.
        var clear = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(oct, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        Assert.ThrowsAny<Exception>(() => AssertNotContained(clear, oct.K!));
        Assert.Equal(3, records.Count(r => r.Key.Kind == "key-version"));
        Assert.Single(records, r => r.Key.Kind == "key-event");
        foreach (var record in records)
        {
            AssertNotContained(record.Payload, rsa.D!, rsa.P!, rsa.Q!, rsa.DP!, rsa.DQ!, rsa.QI!, ec.D!, oct.K!);
        }
    }

    // ---- helpers ----

    private static KeyMaterial Material(string kty) => kty switch
    {
        "RSA" => TestKeys.Rsa(),
        "EC" => TestKeys.Ec(Curves.P256),
        _ => TestKeys.Oct(256),
    };

    private static RotationPolicy RotatePolicy(string timeAfterCreate) =>
        new() { LifetimeActions = [new LifetimeAction(timeAfterCreate, null, "Rotate")] };

    private static KeyOperationInput DecryptInput(KeyOperationResult encrypted, string alg = "A256GCM") =>
        new(alg, encrypted.Value) { Iv = encrypted.Iv, AuthenticationTag = encrypted.AuthenticationTag, AdditionalAuthenticatedData = encrypted.AdditionalAuthenticatedData };

    private Task<KeyOperationResult> Encrypt(string name, string text, string alg = "A256GCM") =>
        _engine.OperateAsync(Vault, name, null, KeyOperations.Encrypt, new KeyOperationInput(alg, Encoding.UTF8.GetBytes(text)), Ct);

    private async Task<string> Decrypt(string name, string? version, KeyOperationResult encrypted, string alg = "A256GCM") =>
        Encoding.UTF8.GetString((await _engine.OperateAsync(Vault, name, version, KeyOperations.Decrypt, DecryptInput(encrypted, alg), Ct)).Value);

    /// <summary>An RSA operation with well-formed inputs, so only the key's state can refuse it.</summary>
    private Task RunAsync(string name, string? version, string operation) => operation switch
    {
        "encrypt" => _engine.OperateAsync(Vault, name, version, operation, new KeyOperationInput("RSA-OAEP", [1, 2, 3]), Ct),
        "decrypt" => _engine.OperateAsync(Vault, name, version, operation, new KeyOperationInput("RSA-OAEP", new byte[256]), Ct),
        "wrapKey" => _engine.OperateAsync(Vault, name, version, operation, new KeyOperationInput("RSA-OAEP", new byte[32]), Ct),
        "unwrapKey" => _engine.OperateAsync(Vault, name, version, operation, new KeyOperationInput("RSA-OAEP", new byte[256]), Ct),
        "sign" => _engine.OperateAsync(Vault, name, version, operation, new KeyOperationInput("RS256", new byte[32]), Ct),
        "verify" => _engine.VerifyAsync(Vault, name, version, new KeyOperationInput("RS256", new byte[32]) { Signature = new byte[256] }, Ct),
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };

    private async Task<IReadOnlyList<StoredRecord>> RecordsAsync(string kind, string name) =>
        await _deployment.Store.ListAsync(new RecordQuery("hub", kind) { Name = name, Deleted = DeletedFilter.Any, Limit = 1000 }, Ct);

    private async Task AssertNoRecordsAsync(string name)
    {
        foreach (var kind in KeyKinds)
        {
            Assert.Empty(await RecordsAsync(kind, name));
        }
    }

    private async Task<List<string>> SnapshotAsync()
    {
        var snapshot = new List<string>();
        foreach (var kind in KeyKinds)
        {
            foreach (var r in await _deployment.Store.ListAsync(new RecordQuery("hub", kind) { Deleted = DeletedFilter.Any, Limit = 1000 }, Ct))
            {
                snapshot.Add($"{r.Key} {r.Updated:O} {r.Enabled} {r.Expires:O} {r.Deleted:O} {Convert.ToBase64String(r.Payload)}");
            }
        }
        return snapshot;
    }

    private static void AssertPublicOnly(KeyVersion key)
    {
        Assert.Null(key.PublicKey.D);
        Assert.Null(key.PublicKey.P);
        Assert.Null(key.PublicKey.Q);
        Assert.Null(key.PublicKey.DP);
        Assert.Null(key.PublicKey.DQ);
        Assert.Null(key.PublicKey.QI);
        Assert.Null(key.PublicKey.K);
    }

    /// <summary>None of the secrets appears in the bytes raw, as base64, base64url or hex.</summary>
    private static void AssertNotContained(byte[] haystack, params byte[][] secrets)
    {
        foreach (var secret in secrets)
        {
            var forms = new[]
            {
                secret,
                Encoding.ASCII.GetBytes(Convert.ToBase64String(secret)),
                Encoding.ASCII.GetBytes(Convert.ToBase64String(secret).TrimEnd('=').Replace('+', '-').Replace('/', '_')),
                Encoding.ASCII.GetBytes(Convert.ToHexString(secret)),
                Encoding.ASCII.GetBytes(Convert.ToHexStringLower(secret)),
            };
            foreach (var form in forms)
            {
                Assert.True(haystack.AsSpan().IndexOf(form) < 0, "key material found in stored bytes");
            }
        }
    }

    private static async Task<KeyhubException> AssertErrorAsync(int status, string code, string? innerCode, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<KeyhubException>(action);
        Assert.Equal(status, error.Status);
        Assert.Equal(code, error.Code);
        Assert.Equal(innerCode, error.InnerCode);
        return error;
    }
}
