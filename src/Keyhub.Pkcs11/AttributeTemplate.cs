using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Keyhub.Pkcs11;

/// <summary>
/// A list of Cryptoki attributes for C_CreateObject, C_GenerateKey(Pair), C_UnwrapKey or C_FindObjectsInit.
/// Pkcs11Interop copies every value into unmanaged memory; values added with <see cref="Secret"/> are
/// overwritten with zeros there before that memory is freed.
/// </summary>
internal sealed class AttributeTemplate(Pkcs11InteropFactories factories) : IDisposable
{
    private readonly List<IObjectAttribute> _secrets = [];

    public List<IObjectAttribute> Attributes { get; } = [];

    public AttributeTemplate Add(CKA type, bool value) => Add(factories.ObjectAttributeFactory.Create(type, value));

    public AttributeTemplate Add(CKA type, CKO value) => Add(factories.ObjectAttributeFactory.Create(type, value));

    public AttributeTemplate Add(CKA type, CKK value) => Add(factories.ObjectAttributeFactory.Create(type, value));

    public AttributeTemplate Add(CKA type, ulong value) => Add(factories.ObjectAttributeFactory.Create(type, value));

    public AttributeTemplate Add(CKA type, string value) => Add(factories.ObjectAttributeFactory.Create(type, value));

    public AttributeTemplate Add(CKA type, byte[] value) => Add(factories.ObjectAttributeFactory.Create(type, value));

    /// <summary>Adds key material; the caller still zeroes its own array.</summary>
    public AttributeTemplate Secret(CKA type, byte[] value)
    {
        var attribute = factories.ObjectAttributeFactory.Create(type, value);
        _secrets.Add(attribute);
        return Add(attribute);
    }

    public void Dispose()
    {
        foreach (var secret in _secrets)
        {
            Wipe(secret);
        }

        foreach (var attribute in Attributes)
        {
            attribute.Dispose();
        }
    }

    /// <summary>Zeroes the unmanaged copy of an attribute's value (one read back from the token, or one of ours).</summary>
    public static void Wipe(IObjectAttribute attribute)
    {
        // One CK_ATTRIBUTE layout per platform ABI (CK_ULONG of 4 or 8 bytes, packed or not).
        var (pointer, length) = attribute.ToMarshalableStructure() switch
        {
            Net.Pkcs11Interop.LowLevelAPI80.CK_ATTRIBUTE a => (a.value, (long)a.valueLen),
            Net.Pkcs11Interop.LowLevelAPI81.CK_ATTRIBUTE a => (a.value, (long)a.valueLen),
            Net.Pkcs11Interop.LowLevelAPI40.CK_ATTRIBUTE a => (a.value, (long)a.valueLen),
            Net.Pkcs11Interop.LowLevelAPI41.CK_ATTRIBUTE a => (a.value, (long)a.valueLen),
            _ => (IntPtr.Zero, 0L),
        };
        if (pointer != IntPtr.Zero && length is > 0 and <= int.MaxValue)
        {
            Marshal.Copy(new byte[length], 0, pointer, (int)length);
        }
    }

    private AttributeTemplate Add(IObjectAttribute attribute)
    {
        Attributes.Add(attribute);
        return this;
    }
}
