using Keyhub.Pkcs11.Tests;

namespace Keyhub.Server.Tests.Hsm;

/// <summary>
/// The SoftHSM2 tokens of this test process, all made before any test loads the PKCS#11 module (SoftHSM lists only
/// the tokens that existed when it was loaded). Tests that use them run in one collection, one at a time.
/// </summary>
public sealed class HsmTokens : IAsyncLifetime
{
    private Task<PremiumVault>? _premium;

    public HsmTokens()
    {
        if (!SoftHsm.IsAvailable && !SoftHsmSkip.Required)
        {
            return;
        }
        Seal = SoftHsm.Create("keyhub-seal");
        Rekey = SoftHsm.Create("keyhub-rekey");
        Premium = SoftHsm.Create("keyhub-premium");
    }

    /// <summary>Auto-unseal, its loss and recovery (the executable, out of process).</summary>
    public SoftHsm Seal { get; } = null!;

    /// <summary>Where a rekey moves the wrapping key after the first one was lost.</summary>
    public SoftHsm Rekey { get; } = null!;

    /// <summary>Premium vaults' keys (in process).</summary>
    public SoftHsm Premium { get; } = null!;

    /// <summary>The Keyhub with a premium hub vault, started on first use and shared by the collection's tests.</summary>
    public Task<PremiumVault> PremiumVaultAsync() => _premium ??= PremiumVault.StartAsync(Premium);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_premium is not null)
        {
            await (await _premium).DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class HsmCollection : ICollectionFixture<HsmTokens>
{
    public const string Name = "hsm";
}
