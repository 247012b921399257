using System.Security.Cryptography;
using Keyhub.Core.Seal;
using Keyhub.Pkcs11;
using Keyhub.Server.Hosting;

namespace Keyhub.Server.Hsm;

/// <summary>The outcome of trying the HSM at start: an opened token and seal, or why not (never with the PIN in it).</summary>
public sealed record HsmUnsealResult(Pkcs11Token? Token, Pkcs11Seal? Seal, string? Reason);

/// <summary>
/// Auto-unseal at start: opens the recorded token with the configured library and PIN and unwraps the stored root key
/// inside it. Any failure — library, token, PIN, the wrapping key gone, a wrapped key that does not open — is a
/// reason to stay sealed and wait for recovery shares, reported as such.
/// </summary>
public static class HsmUnseal
{
    public static async Task<HsmUnsealResult> TryAsync(KeyhubServerOptions options, SealSettings settings, CancellationToken cancellationToken)
    {
        var hsm = settings.Hsm ?? throw new InvalidOperationException("The deployment is not sealed by an HSM.");
        Pkcs11Token? token = null;
        try
        {
            var library = options.Hsm.Library ?? hsm.Library;
            token = Pkcs11Token.Open(new Pkcs11Options(library, hsm.TokenLabel, options.Hsm.ResolvePin()));
            var seal = new Pkcs11Seal(token, hsm);
            var wrapped = await KeyhubRuntime.ReadWrappedRootKeyAsync(Path.GetFullPath(options.DataDirectory), cancellationToken)
                ?? throw new InvalidOperationException("The deployment has no root key.");
            var rootKey = await seal.UnwrapAsync(wrapped, cancellationToken);
            CryptographicOperations.ZeroMemory(rootKey);
            return new HsmUnsealResult(token, seal, null);
        }
        catch (Exception ex) when (ex is Pkcs11Exception or InvalidOperationException or DllNotFoundException or BadImageFormatException or EntryPointNotFoundException)
        {
            // Keep the token if it opened: premium vaults' keys may still be on it even if the wrapping key is not.
            return new HsmUnsealResult(token, null, ex.Message);
        }
    }
}
