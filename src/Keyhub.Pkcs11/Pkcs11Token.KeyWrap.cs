using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;

namespace Keyhub.Pkcs11;

// AES key wrap (RFC 3394, CKM_AES_KEY_WRAP) of caller-supplied key bytes under a token AES key.
// SoftHSM2 offers the mechanism only through C_WrapKey/C_UnwrapKey, not C_Encrypt/C_Decrypt, so the bytes
// pass through a short-lived session object:
//   wrap:   bytes → C_CreateObject (session, extractable generic secret) → C_WrapKey → destroy
//   unwrap: C_UnwrapKey → session object (extractable generic secret) → read CKA_VALUE → destroy
// The temporary object never reaches the token's storage (CKA_TOKEN false) and is destroyed on every path;
// it also dies with its session if the process does.
public sealed partial class Pkcs11Token
{
    private const int WrapBlockBytes = 8;

    /// <summary>Wraps key bytes (a multiple of 8, at least 16) with the AES key; the result is 8 bytes longer.</summary>
    public byte[] WrapKeyAes(byte[] id, ReadOnlySpan<byte> keyToWrap)
    {
        CheckId(id);
        if (keyToWrap.Length < 2 * WrapBlockBytes || keyToWrap.Length % WrapBlockBytes != 0)
        {
            throw new ArgumentException("RFC 3394 wraps keys of 16 bytes or more, in multiples of 8", nameof(keyToWrap));
        }

        Require(nameof(CKM.CKM_AES_KEY_WRAP));
        var value = keyToWrap.ToArray();
        try
        {
            return Run("C_WrapKey", session =>
            {
                var wrappingKey = FindKey(session, id, CKO.CKO_SECRET_KEY, CKK.CKK_AES, "AES key");
                using var template = TemporarySecretTemplate().Secret(CKA.CKA_VALUE, value);
                var temporary = session.CreateObject(template.Attributes);
                try
                {
                    using var mechanism = Plain(CKM.CKM_AES_KEY_WRAP);
                    return session.WrapKey(mechanism.Mechanism, wrappingKey, temporary);
                }
                finally
                {
                    session.DestroyObject(temporary);
                }
            }, Unsupported(nameof(CKM.CKM_AES_KEY_WRAP)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(value);
        }
    }

    /// <summary>Unwraps an RFC 3394 blob with the AES key; a wrong key or a tampered blob throws "unwrap failed".</summary>
    public byte[] UnwrapKeyAes(byte[] id, ReadOnlySpan<byte> wrapped)
    {
        CheckId(id);
        if (wrapped.Length < 3 * WrapBlockBytes || wrapped.Length % WrapBlockBytes != 0)
        {
            throw new Pkcs11Exception("unwrap failed");
        }

        Require(nameof(CKM.CKM_AES_KEY_WRAP));
        var input = wrapped.ToArray();
        var unsupported = Unsupported(nameof(CKM.CKM_AES_KEY_WRAP));
        return Run("C_UnwrapKey", session =>
        {
            var unwrappingKey = FindKey(session, id, CKO.CKO_SECRET_KEY, CKK.CKK_AES, "AES key");
            using var mechanism = Plain(CKM.CKM_AES_KEY_WRAP);
            using var template = TemporarySecretTemplate();
            var temporary = session.UnwrapKey(mechanism.Mechanism, unwrappingKey, input, template.Attributes);
            try
            {
                using var value = ReadAttributes(session, temporary, CKA.CKA_VALUE);
                return value[0].GetValueAsByteArray();
            }
            finally
            {
                session.DestroyObject(temporary);
            }
        }, e => unsupported(e) ?? (e.Method == "C_UnwrapKey" ? new Pkcs11Exception("unwrap failed") : null));
    }

    /// <summary>A session-only secret that may be read back: the carrier, not a stored key.</summary>
    private AttributeTemplate TemporarySecretTemplate() => new AttributeTemplate(Factories)
        .Add(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY)
        .Add(CKA.CKA_KEY_TYPE, CKK.CKK_GENERIC_SECRET)
        .Add(CKA.CKA_TOKEN, false)
        .Add(CKA.CKA_PRIVATE, true)
        .Add(CKA.CKA_SENSITIVE, false)
        .Add(CKA.CKA_EXTRACTABLE, true)
        .Add(CKA.CKA_ENCRYPT, false).Add(CKA.CKA_DECRYPT, false)
        .Add(CKA.CKA_SIGN, false).Add(CKA.CKA_VERIFY, false)
        .Add(CKA.CKA_WRAP, false).Add(CKA.CKA_UNWRAP, false).Add(CKA.CKA_DERIVE, false);
}
