namespace Keyhub.Pkcs11.Tests;

internal static class SoftHsmSkip
{
    public const string Reason = $"SoftHSM2 is not installed ({SoftHsm.DefaultLibraryPath}); scripts/install-softhsm.sh installs it";
}
