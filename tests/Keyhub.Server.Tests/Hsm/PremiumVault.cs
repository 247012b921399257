using Keyhub.Pkcs11;
using Keyhub.Pkcs11.Tests;
using Keyhub.Server.Hosting;
using Keyhub.Server.Tests.Infrastructure;
using Keyhub.Server.Tests.Keys;

namespace Keyhub.Server.Tests.Hsm;

/// <summary>
/// A Keyhub whose hub vault is premium, its -HSM keys on a SoftHSM2 token this fixture also opens to inspect
/// the objects. Started lazily: without SoftHSM2 the tests that use it are skipped.
/// </summary>
public sealed class PremiumVault : IAsyncDisposable
{
    private PremiumVault(KeyhubTestServer server, Pkcs11Token token, RawKeysClient admin)
    {
        Server = server;
        Token = token;
        Admin = admin;
    }

    public KeyhubTestServer Server { get; }

    /// <summary>The token the server keeps the premium vault's keys in (the same instance).</summary>
    public Pkcs11Token Token { get; }

    internal RawKeysClient Admin { get; }

    public static async Task<PremiumVault> StartAsync(SoftHsm hsm)
    {
        var token = Pkcs11Token.Open(new Pkcs11Options(hsm.LibraryPath, hsm.TokenLabel, hsm.Pin));
        try
        {
            var server = await KeyhubTestServer.StartAsync(configure: o => o with
            {
                HsmToken = token,
                Vaults = [new VaultBinding { Name = "hub", Port = o.Port, Sku = "premium" }],
            });
            return new PremiumVault(server, token, await RawKeysClient.ConnectAsync(server));
        }
        catch
        {
            token.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Server.DisposeAsync();
        Token.Dispose();
    }
}
