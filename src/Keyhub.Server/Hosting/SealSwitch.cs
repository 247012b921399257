namespace Keyhub.Server.Hosting;

/// <summary>
/// Set when the Owner seals a running Shamir-sealed server (<c>POST /keyhub/v1/seal</c>): `keyhub server`
/// then stops the full server, which forgets the keyring, and goes back to waiting for shares.
/// </summary>
public sealed class SealSwitch
{
    private readonly TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Requested => _requested.Task;

    public void Request() => _requested.TrySetResult();
}
