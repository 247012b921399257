using Net.Pkcs11Interop.HighLevelAPI;
using Net.Pkcs11Interop.HighLevelAPI.MechanismParams;

namespace Keyhub.Pkcs11;

/// <summary>
/// A mechanism together with its parameter object. Pkcs11Interop copies the parameters into the mechanism's
/// own unmanaged memory, so both hold native memory (for GCM: the IV and AAD) and both are disposed.
/// </summary>
internal sealed class OwnedMechanism(IMechanism mechanism, IMechanismParams? parameters = null) : IDisposable
{
    public IMechanism Mechanism { get; } = mechanism;

    public void Dispose()
    {
        Mechanism.Dispose();
        parameters?.Dispose();
    }
}
