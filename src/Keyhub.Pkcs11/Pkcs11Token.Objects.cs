using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Keyhub.Pkcs11;

// Finding, reading and destroying objects by CKA_ID.
public sealed partial class Pkcs11Token
{
    private static readonly CKO[] KeyClasses = [CKO.CKO_PRIVATE_KEY, CKO.CKO_PUBLIC_KEY, CKO.CKO_SECRET_KEY];

    /// <summary>Whether the token holds any object with this CKA_ID.</summary>
    public bool Exists(byte[] id)
    {
        CheckId(id);
        return Run("C_FindObjects", session => FindById(session, id).Count > 0);
    }

    /// <summary>Destroys every object with this CKA_ID (private, public, secret or other); none is fine.</summary>
    public void Destroy(byte[] id)
    {
        CheckId(id);
        Change("C_DestroyObject", session =>
        {
            foreach (var handle in FindById(session, id))
            {
                session.DestroyObject(handle);
            }
        });
    }

    /// <summary>The class, key type and protection flags of each object with this CKA_ID.</summary>
    public KeyObjectInfo Inspect(byte[] id)
    {
        CheckId(id);
        return Run("C_GetAttributeValue", session =>
        {
            var objects = new List<KeyObjectAttributes>();
            foreach (var handle in FindById(session, id))
            {
                using var common = ReadAttributes(session, handle, CKA.CKA_CLASS, CKA.CKA_TOKEN);
                var objectClass = (CKO)common[0].GetValueAsUlong();
                var token = common[1].GetValueAsBool();
                if (objectClass is not (CKO.CKO_PRIVATE_KEY or CKO.CKO_PUBLIC_KEY or CKO.CKO_SECRET_KEY))
                {
                    objects.Add(new KeyObjectAttributes(ClassName(objectClass), "", token, null, null, null, null));
                    continue;
                }

                using var type = ReadAttributes(session, handle, CKA.CKA_KEY_TYPE);
                var keyType = KeyTypeName((CKK)type[0].GetValueAsUlong());
                if (objectClass == CKO.CKO_PUBLIC_KEY)
                {
                    objects.Add(new KeyObjectAttributes("public", keyType, token, null, null, null, null));
                    continue;
                }

                using var flags = ReadAttributes(session, handle,
                    CKA.CKA_SENSITIVE, CKA.CKA_EXTRACTABLE, CKA.CKA_ALWAYS_SENSITIVE, CKA.CKA_NEVER_EXTRACTABLE);
                objects.Add(new KeyObjectAttributes(ClassName(objectClass), keyType, token,
                    Flag(flags[0]), Flag(flags[1]), Flag(flags[2]), Flag(flags[3])));
            }

            return new KeyObjectInfo(objects);
        });
    }

    /// <summary>The distinct CKA_IDs of all key objects on the token (objects without an id are left out).</summary>
    public IReadOnlyList<byte[]> ListKeyIds() => Run("C_FindObjects", session =>
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ids = new List<byte[]>();
        foreach (var keyClass in KeyClasses)
        {
            using var template = new AttributeTemplate(Factories).Add(CKA.CKA_TOKEN, true).Add(CKA.CKA_CLASS, keyClass);
            foreach (var handle in session.FindAllObjects(template.Attributes))
            {
                using var value = ReadAttributes(session, handle, CKA.CKA_ID);
                var id = value[0].GetValueAsByteArray();
                if (id is { Length: > 0 } && seen.Add(Convert.ToHexString(id)))
                {
                    ids.Add(id);
                }
            }
        }

        return (IReadOnlyList<byte[]>)ids;
    });

    private List<IObjectHandle> FindById(ISession session, byte[] id)
    {
        using var template = new AttributeTemplate(Factories).Add(CKA.CKA_TOKEN, true).Add(CKA.CKA_ID, id);
        return session.FindAllObjects(template.Attributes);
    }

    /// <summary>The one key of this class and type under the id; <paramref name="what"/> names it in errors.</summary>
    private IObjectHandle FindKey(ISession session, byte[] id, CKO keyClass, CKK keyType, string what)
    {
        using var template = new AttributeTemplate(Factories)
            .Add(CKA.CKA_TOKEN, true)
            .Add(CKA.CKA_CLASS, keyClass)
            .Add(CKA.CKA_KEY_TYPE, keyType)
            .Add(CKA.CKA_ID, id);
        var found = session.FindAllObjects(template.Attributes);
        return found.Count switch
        {
            1 => found[0],
            0 => throw new Pkcs11ObjectNotFoundException($"token '{_tokenLabel}' has no {what} with CKA_ID {Convert.ToHexString(id)}"),
            _ => throw new Pkcs11Exception($"token '{_tokenLabel}' has {found.Count} {what} objects with CKA_ID {Convert.ToHexString(id)}"),
        };
    }

    private void ThrowIfIdTaken(ISession session, byte[] id)
    {
        if (FindById(session, id).Count > 0)
        {
            throw new Pkcs11Exception($"token '{_tokenLabel}' already has an object with CKA_ID {Convert.ToHexString(id)}");
        }
    }

    private static AttributeValues ReadAttributes(ISession session, IObjectHandle handle, params CKA[] types) =>
        new(session.GetAttributeValue(handle, [.. types]));

    private static bool? Flag(IObjectAttribute attribute) => attribute.CannotBeRead ? null : attribute.GetValueAsBool();

    private static string ClassName(CKO objectClass) => objectClass switch
    {
        CKO.CKO_PRIVATE_KEY => "private",
        CKO.CKO_PUBLIC_KEY => "public",
        CKO.CKO_SECRET_KEY => "secret",
        _ => objectClass.ToString(),
    };

    private static string KeyTypeName(CKK keyType) => keyType switch
    {
        CKK.CKK_RSA => "RSA",
        CKK.CKK_EC => "EC",
        CKK.CKK_AES => "AES",
        CKK.CKK_GENERIC_SECRET => "GENERIC_SECRET",
        _ => keyType.ToString().Replace("CKK_", "", StringComparison.Ordinal),
    };

    private static void CheckId(byte[] id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length == 0)
        {
            throw new ArgumentException("a CKA_ID must not be empty", nameof(id));
        }
    }
}
