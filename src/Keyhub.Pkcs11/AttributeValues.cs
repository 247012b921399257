using Net.Pkcs11Interop.HighLevelAPI;

namespace Keyhub.Pkcs11;

/// <summary>Attributes read with C_GetAttributeValue; disposing zeroes and frees their unmanaged copies.</summary>
internal sealed class AttributeValues(List<IObjectAttribute> values) : IDisposable
{
    public IObjectAttribute this[int index] => values[index];

    public void Dispose()
    {
        foreach (var value in values)
        {
            AttributeTemplate.Wipe(value);
            value.Dispose();
        }
    }
}
