using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Keyhub.Pkcs11.Tests;

public sealed class AttributeTemplateTests
{
    [Fact]
    public void Wipe_zeroes_the_unmanaged_copy_of_a_value()
    {
        var factories = new Pkcs11InteropFactories();
        using var attribute = factories.ObjectAttributeFactory.Create(CKA.CKA_VALUE, new byte[] { 1, 2, 3, 4, 5 });

        AttributeTemplate.Wipe(attribute);

        Assert.Equal(new byte[5], attribute.GetValueAsByteArray());
    }
}
