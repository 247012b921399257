namespace Keyhub.Pkcs11.Tests;

/// <summary>A fact that needs SoftHSM2; skipped, saying why, on a machine without it.</summary>
public sealed class SoftHsmFactAttribute : FactAttribute
{
    public SoftHsmFactAttribute()
    {
        if (!SoftHsm.IsAvailable && !SoftHsmSkip.Required)
        {
            Skip = SoftHsmSkip.Reason;
        }
    }
}
