using Net.Pkcs11Interop.Common;

namespace Keyhub.Pkcs11.Tests;

public sealed class MechanismNamesTests
{
    [Fact]
    public void A_mechanism_with_two_standard_names_is_listed_under_both()
    {
        var names = MechanismNames.Of([CKM.CKM_EC_KEY_PAIR_GEN]);

        Assert.Contains("CKM_EC_KEY_PAIR_GEN", names);
        Assert.Contains("CKM_ECDSA_KEY_PAIR_GEN", names);
    }

    [Fact]
    public void A_mechanism_pkcs11interop_does_not_know_is_listed_in_hex()
    {
        Assert.Equal(["0x00001057"], MechanismNames.Of([(CKM)0x1057]));
    }
}
