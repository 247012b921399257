namespace Keyhub.Pkcs11.Tests;

/// <summary>
/// Test classes that open SoftHSM tokens run one after another: SoftHSM lists only the tokens that existed
/// when the module was loaded, so each class creates its token while no other class holds the module.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SoftHsmCollection
{
    public const string Name = "SoftHSM";
}
