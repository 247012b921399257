using Keyhub.Core.Errors;
using Keyhub.Core.Identity;
using Keyhub.Core.Storage;
using Keyhub.Core.Tests.Support;

namespace Keyhub.Core.Tests.Identity;

public sealed class PrincipalStoreTests : IAsyncLifetime
{
    private static CancellationToken Ct => CancellationToken.None;
    private TestDeployment _deployment = null!;
    private PrincipalStore _principals = null!;

    public async Task InitializeAsync()
    {
        _deployment = await TestDeployment.StartAsync();
        _principals = new PrincipalStore(_deployment.Store, _deployment.Seal, _deployment.Time);
    }

    public Task DisposeAsync()
    {
        _deployment.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Added_principal_authenticates_with_its_secret()
    {
        var (principal, secret) = await _principals.AddAsync("billing-app", Ct);

        var authenticated = await _principals.AuthenticateAsync(principal.ClientId, secret, Ct);

        Assert.NotNull(authenticated);
        Assert.Equal(principal.ObjectId, authenticated.ObjectId);
        Assert.Equal("billing-app", authenticated.DisplayName);
        Assert.True(authenticated.Enabled);
    }

    [Fact]
    public async Task Wrong_secret_does_not_authenticate()
    {
        var (principal, secret) = await _principals.AddAsync("billing-app", Ct);

        Assert.Null(await _principals.AuthenticateAsync(principal.ClientId, ClientSecretHasher.NewSecret(), Ct));
        Assert.Null(await _principals.AuthenticateAsync(principal.ClientId, "", Ct));
        Assert.Null(await _principals.AuthenticateAsync(principal.ClientId, secret.ToUpperInvariant(), Ct));
    }

    [Fact]
    public async Task Another_principals_secret_does_not_authenticate()
    {
        var (first, _) = await _principals.AddAsync("first", Ct);
        var (_, otherSecret) = await _principals.AddAsync("second", Ct);

        Assert.Null(await _principals.AuthenticateAsync(first.ClientId, otherSecret, Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-guid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("../principal")]
    public async Task Unknown_or_malformed_client_id_does_not_authenticate(string clientId)
    {
        var (_, secret) = await _principals.AddAsync("billing-app", Ct);

        Assert.Null(await _principals.AuthenticateAsync(clientId, secret, Ct));
    }

    [Fact]
    public async Task Disabled_principal_does_not_authenticate_until_enabled_again()
    {
        var (principal, secret) = await _principals.AddAsync("billing-app", Ct);

        await _principals.SetEnabledAsync(principal.ClientId, false, Ct);
        Assert.Null(await _principals.AuthenticateAsync(principal.ClientId, secret, Ct));

        await _principals.SetEnabledAsync(principal.ClientId, true, Ct);
        Assert.NotNull(await _principals.AuthenticateAsync(principal.ClientId, secret, Ct));
    }

    [Fact]
    public async Task Reset_secret_invalidates_the_old_secret_and_the_new_one_works()
    {
        var (principal, oldSecret) = await _principals.AddAsync("billing-app", Ct);

        var newSecret = await _principals.ResetSecretAsync(principal.ClientId, Ct);

        Assert.NotEqual(oldSecret, newSecret);
        Assert.Null(await _principals.AuthenticateAsync(principal.ClientId, oldSecret, Ct));
        Assert.NotNull(await _principals.AuthenticateAsync(principal.ClientId, newSecret, Ct));
        Assert.Single((await _principals.GetByClientIdAsync(principal.ClientId, Ct))!.Secrets);
    }

    [Fact]
    public async Task Client_id_lookup_accepts_any_GUID_spelling()
    {
        var (principal, secret) = await _principals.AddAsync("billing-app", Ct);
        var id = Guid.Parse(principal.ClientId);

        Assert.NotNull(await _principals.AuthenticateAsync(principal.ClientId.ToUpperInvariant(), secret, Ct));
        Assert.NotNull(await _principals.AuthenticateAsync(id.ToString("B"), secret, Ct));
        Assert.NotNull(await _principals.GetByClientIdAsync(id.ToString("N"), Ct));
    }

    [Fact]
    public async Task Neither_the_secret_nor_the_display_name_is_stored_in_the_clear()
    {
        var (_, secret) = await _principals.AddAsync("billing-app-display-name", Ct);

        var records = await _deployment.Store.ListAsync(new RecordQuery(SystemVault.Name, "principal"), Ct);

        var record = Assert.Single(records);
        Assert.Equal(-1, record.Payload.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(secret)));
        Assert.Equal(-1, record.Payload.AsSpan().IndexOf("billing-app-display-name"u8));
    }

    [Fact]
    public async Task Stored_principal_holds_only_a_v1_hash_of_its_secret()
    {
        var (principal, secret) = await _principals.AddAsync("billing-app", Ct);

        var stored = await _principals.GetByClientIdAsync(principal.ClientId, Ct);

        var credential = Assert.Single(stored!.Secrets);
        Assert.StartsWith("v1.", credential.Hash, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, credential.Hash, StringComparison.Ordinal);
        Assert.True(ClientSecretHasher.Verify(secret, credential.Hash));
    }

    [Fact]
    public async Task List_returns_every_principal()
    {
        await _principals.AddAsync("a", Ct);
        await _principals.AddAsync("b", Ct);

        var all = await _principals.ListAsync(Ct);

        Assert.Equal(["a", "b"], all.Select(p => p.DisplayName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Blank_display_name_is_a_bad_parameter(string name)
    {
        var error = await Assert.ThrowsAsync<KeyhubException>(() => _principals.AddAsync(name, Ct));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task Display_name_longer_than_256_characters_is_a_bad_parameter()
    {
        await _principals.AddAsync(new string('a', 256), Ct);
        var error = await Assert.ThrowsAsync<KeyhubException>(() => _principals.AddAsync(new string('a', 257), Ct));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task Changing_an_unknown_principal_is_not_found()
    {
        var error = await Assert.ThrowsAsync<KeyhubException>(
            () => _principals.SetEnabledAsync(Guid.NewGuid().ToString(), false, Ct));

        Assert.Equal(404, error.Status);
        Assert.Equal("PrincipalNotFound", error.Code);
    }
}
