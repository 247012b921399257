namespace Keyhub.Pkcs11.Tests;

/// <summary>A theory that needs SoftHSM2; skipped, saying why, on a machine without it.</summary>
public sealed class SoftHsmTheoryAttribute : TheoryAttribute
{
    public SoftHsmTheoryAttribute()
    {
        if (!SoftHsm.IsAvailable && !SoftHsmSkip.Required)
        {
            Skip = SoftHsmSkip.Reason;
        }
    }
}
