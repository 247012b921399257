namespace Keyhub.Pkcs11.Tests;

internal static class SoftHsmSkip
{
    /// <summary>KEYHUB_REQUIRE_HSM=1 (the test command sets it): a missing SoftHSM2 fails the tests instead of skipping them.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("KEYHUB_REQUIRE_HSM") == "1";

    public const string Reason = $"SoftHSM2 is not installed ({SoftHsm.DefaultLibraryPath}); scripts/install-softhsm.sh installs it";
}
