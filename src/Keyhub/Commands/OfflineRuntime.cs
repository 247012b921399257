using Keyhub.Core.Seal;
using Keyhub.Server.Hosting;
using Keyhub.Server.Hsm;

namespace Keyhub.Commands;

/// <summary>
/// Opens a stopped deployment's data folder for the offline commands: a key-file deployment as it is, an HSM
/// deployment through its HSM (PIN from the environment, as for the server). A deployment sealed with Shamir
/// shares is refused: it opens only with shares, given to the running server.
/// </summary>
internal static class OfflineRuntime
{
    public static async Task<OfflineDeployment> OpenAsync(string data)
    {
        var settings = await KeyhubRuntime.ReadSealSettingsAsync(data, CancellationToken.None);
        if (settings?.Kind != SealSettings.HsmKind)
        {
            return new OfflineDeployment(await KeyhubRuntime.OpenAsync(data, null, TimeProvider.System, CancellationToken.None), null);
        }
        var options = ServerCommand.LoadOptions(null) with { DataDirectory = data };
        var hsm = await HsmUnseal.TryAsync(options, settings, CancellationToken.None);
        if (hsm.Seal is null)
        {
            hsm.Token?.Dispose();
            throw new CommandLineException($"this deployment is sealed by an HSM, which could not unseal it: {hsm.Reason}");
        }
        try
        {
            return new OfflineDeployment(await KeyhubRuntime.OpenAsync(data, null, TimeProvider.System, new SealSetup(hsm.Seal), CancellationToken.None), hsm.Token);
        }
        catch
        {
            hsm.Token?.Dispose();
            throw;
        }
    }
}

/// <summary>An opened deployment and the HSM token it was unsealed with (closed with it).</summary>
internal sealed class OfflineDeployment(KeyhubRuntime runtime, IDisposable? token) : IAsyncDisposable
{
    public KeyhubRuntime Runtime => runtime;

    public async ValueTask DisposeAsync()
    {
        await runtime.DisposeAsync();
        token?.Dispose();
    }
}
