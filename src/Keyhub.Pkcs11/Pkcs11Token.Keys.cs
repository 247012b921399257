using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using NativePkcs11Exception = Net.Pkcs11Interop.Common.Pkcs11Exception;

namespace Keyhub.Pkcs11;

// Generating and importing keys, and reading public halves. Every key object made here is a token object
// (CKA_TOKEN), readable only after login (CKA_PRIVATE), and every private or secret key is CKA_SENSITIVE
// and not CKA_EXTRACTABLE. Usages not asked for are set false explicitly, because SoftHSM2 (and others)
// default CKA_SIGN, CKA_DERIVE etc. to true when the template is silent.
public sealed partial class Pkcs11Token
{
    /// <summary>Generates an AES key of 16, 24 or 32 bytes for encrypt, decrypt, wrap and unwrap.</summary>
    public void GenerateAesKey(byte[] id, string label, int sizeBytes)
    {
        CheckId(id);
        ArgumentNullException.ThrowIfNull(label);
        if (sizeBytes is not (16 or 24 or 32))
        {
            throw new ArgumentOutOfRangeException(nameof(sizeBytes), sizeBytes, "an AES key has 16, 24 or 32 bytes");
        }

        Require(nameof(CKM.CKM_AES_KEY_GEN));
        Change("C_GenerateKey", session =>
        {
            ThrowIfIdTaken(session, id);
            using var template = KeyTemplate(id, label, CKO.CKO_SECRET_KEY, CKK.CKK_AES)
                .Add(CKA.CKA_VALUE_LEN, (ulong)sizeBytes)
                .Add(CKA.CKA_ENCRYPT, true).Add(CKA.CKA_DECRYPT, true)
                .Add(CKA.CKA_WRAP, true).Add(CKA.CKA_UNWRAP, true)
                .Add(CKA.CKA_SIGN, false).Add(CKA.CKA_VERIFY, false).Add(CKA.CKA_DERIVE, false);
            using var mechanism = Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN);
            session.GenerateKey(mechanism, template.Attributes);
        }, Unsupported(nameof(CKM.CKM_AES_KEY_GEN)));
    }

    /// <summary>Generates an RSA key pair; the private key signs, decrypts and unwraps, the public one the reverse.</summary>
    public RsaPublic GenerateRsaKeyPair(byte[] id, string label, int bits, byte[] publicExponent)
    {
        CheckId(id);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(publicExponent);
        if (bits < 2048 || bits % 8 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "RSA keys have at least 2048 bits, in whole bytes");
        }

        Require(nameof(CKM.CKM_RSA_PKCS_KEY_PAIR_GEN));
        return Change("C_GenerateKeyPair", session =>
        {
            ThrowIfIdTaken(session, id);
            using var publicTemplate = RsaPublicTemplate(id, label).Add(CKA.CKA_MODULUS_BITS, (ulong)bits).Add(CKA.CKA_PUBLIC_EXPONENT, publicExponent);
            using var privateTemplate = RsaPrivateTemplate(id, label);
            using var mechanism = Factories.MechanismFactory.Create(CKM.CKM_RSA_PKCS_KEY_PAIR_GEN);
            session.GenerateKeyPair(mechanism, publicTemplate.Attributes, privateTemplate.Attributes, out var publicKey, out _);
            return ReadRsaPublic(session, publicKey);
        }, Unsupported(nameof(CKM.CKM_RSA_PKCS_KEY_PAIR_GEN)));
    }

    /// <summary>Generates an EC key pair on "P-256", "P-384", "P-521" or "P-256K" (secp256k1) for ECDSA.</summary>
    public EcPublic GenerateEcKeyPair(byte[] id, string label, string curve)
    {
        CheckId(id);
        ArgumentNullException.ThrowIfNull(label);
        var named = EcCurve.FromName(curve);
        Require(nameof(CKM.CKM_EC_KEY_PAIR_GEN));
        return Change("C_GenerateKeyPair", session =>
        {
            ThrowIfIdTaken(session, id);
            using var publicTemplate = EcPublicTemplate(id, label, named);
            using var privateTemplate = EcPrivateTemplate(id, label);
            using var mechanism = Factories.MechanismFactory.Create(CKM.CKM_EC_KEY_PAIR_GEN);
            session.GenerateKeyPair(mechanism, publicTemplate.Attributes, privateTemplate.Attributes, out var publicKey, out _);
            return ReadEcPublic(session, publicKey, named);
        }, CurveUnsupported(named));
    }

    /// <summary>Imports an RSA private key with all CRT parts (as a private and a public object under one id).</summary>
    public void ImportRsaPrivateKey(byte[] id, string label, RSAParameters parameters)
    {
        CheckId(id);
        ArgumentNullException.ThrowIfNull(label);
        if (parameters.Modulus is null || parameters.Exponent is null || parameters.D is null || parameters.P is null ||
            parameters.Q is null || parameters.DP is null || parameters.DQ is null || parameters.InverseQ is null)
        {
            throw new ArgumentException("an RSA private key needs the modulus, both exponents and all CRT parameters", nameof(parameters));
        }

        Change("C_CreateObject", session =>
        {
            ThrowIfIdTaken(session, id);
            using var privateTemplate = RsaPrivateTemplate(id, label)
                .Add(CKA.CKA_MODULUS, parameters.Modulus)
                .Add(CKA.CKA_PUBLIC_EXPONENT, parameters.Exponent)
                .Secret(CKA.CKA_PRIVATE_EXPONENT, parameters.D)
                .Secret(CKA.CKA_PRIME_1, parameters.P)
                .Secret(CKA.CKA_PRIME_2, parameters.Q)
                .Secret(CKA.CKA_EXPONENT_1, parameters.DP)
                .Secret(CKA.CKA_EXPONENT_2, parameters.DQ)
                .Secret(CKA.CKA_COEFFICIENT, parameters.InverseQ);
            using var publicTemplate = RsaPublicTemplate(id, label)
                .Add(CKA.CKA_MODULUS, parameters.Modulus)
                .Add(CKA.CKA_PUBLIC_EXPONENT, parameters.Exponent);
            CreatePair(session, privateTemplate, publicTemplate);
        });
    }

    /// <summary>Imports an EC private key (CKA_VALUE = D) and its public point (CKA_EC_POINT = Q).</summary>
    public void ImportEcPrivateKey(byte[] id, string label, string curve, ECParameters parameters)
    {
        CheckId(id);
        ArgumentNullException.ThrowIfNull(label);
        var named = EcCurve.FromName(curve);
        if (parameters.D is null || parameters.Q.X is null || parameters.Q.Y is null)
        {
            throw new ArgumentException("an EC private key needs D and the public point Q", nameof(parameters));
        }

        if (parameters.D.Length != named.FieldBytes)
        {
            throw new ArgumentException($"a {named.Name} private key has {named.FieldBytes} bytes", nameof(parameters));
        }

        if (parameters.Curve.IsNamed && !named.Matches(parameters.Curve))
        {
            throw new ArgumentException($"the parameters are for another curve than {named.Name}", nameof(parameters));
        }

        var point = EcPointEncoding.Encode(named, parameters.Q.X, parameters.Q.Y);
        Change("C_CreateObject", session =>
        {
            ThrowIfIdTaken(session, id);
            using var privateTemplate = EcPrivateTemplate(id, label)
                .Add(CKA.CKA_EC_PARAMS, named.EcParams())
                .Secret(CKA.CKA_VALUE, parameters.D);
            using var publicTemplate = EcPublicTemplate(id, label, named).Add(CKA.CKA_EC_POINT, point);
            CreatePair(session, privateTemplate, publicTemplate);
        }, CurveUnsupported(named));
    }

    /// <summary>The modulus and public exponent of the RSA public key object with this id.</summary>
    public RsaPublic GetRsaPublic(byte[] id)
    {
        CheckId(id);
        return Run("C_GetAttributeValue", session =>
            ReadRsaPublic(session, FindKey(session, id, CKO.CKO_PUBLIC_KEY, CKK.CKK_RSA, "RSA public key")));
    }

    /// <summary>The curve and point of the EC public key object with this id.</summary>
    public EcPublic GetEcPublic(byte[] id)
    {
        CheckId(id);
        return Run("C_GetAttributeValue", session =>
        {
            var handle = FindKey(session, id, CKO.CKO_PUBLIC_KEY, CKK.CKK_EC, "EC public key");
            using var ecParams = ReadAttributes(session, handle, CKA.CKA_EC_PARAMS);
            var curve = EcCurve.FromEcParams(ecParams[0].GetValueAsByteArray())
                ?? throw new Pkcs11Exception($"the EC key with CKA_ID {Convert.ToHexString(id)} is on a curve Keyhub does not know");
            return ReadEcPublic(session, handle, curve);
        });
    }

    /// <summary>Creates the private object, then the public one, removing the first if the second fails.</summary>
    private static void CreatePair(ISession session, AttributeTemplate privateTemplate, AttributeTemplate publicTemplate)
    {
        var privateKey = session.CreateObject(privateTemplate.Attributes);
        try
        {
            session.CreateObject(publicTemplate.Attributes);
        }
        catch
        {
            session.DestroyObject(privateKey);
            throw;
        }
    }

    private AttributeTemplate KeyTemplate(byte[] id, string label, CKO keyClass, CKK keyType)
    {
        var template = new AttributeTemplate(Factories)
            .Add(CKA.CKA_CLASS, keyClass)
            .Add(CKA.CKA_KEY_TYPE, keyType)
            .Add(CKA.CKA_TOKEN, true)
            .Add(CKA.CKA_PRIVATE, true)
            .Add(CKA.CKA_ID, id)
            .Add(CKA.CKA_LABEL, label);
        return keyClass == CKO.CKO_PUBLIC_KEY
            ? template
            : template.Add(CKA.CKA_SENSITIVE, true).Add(CKA.CKA_EXTRACTABLE, false);
    }

    private AttributeTemplate RsaPrivateTemplate(byte[] id, string label) =>
        KeyTemplate(id, label, CKO.CKO_PRIVATE_KEY, CKK.CKK_RSA)
            .Add(CKA.CKA_SIGN, true).Add(CKA.CKA_DECRYPT, true).Add(CKA.CKA_UNWRAP, true)
            .Add(CKA.CKA_SIGN_RECOVER, false).Add(CKA.CKA_DERIVE, false);

    private AttributeTemplate RsaPublicTemplate(byte[] id, string label) =>
        KeyTemplate(id, label, CKO.CKO_PUBLIC_KEY, CKK.CKK_RSA)
            .Add(CKA.CKA_VERIFY, true).Add(CKA.CKA_ENCRYPT, true).Add(CKA.CKA_WRAP, true)
            .Add(CKA.CKA_VERIFY_RECOVER, false).Add(CKA.CKA_DERIVE, false);

    private AttributeTemplate EcPrivateTemplate(byte[] id, string label) =>
        KeyTemplate(id, label, CKO.CKO_PRIVATE_KEY, CKK.CKK_EC)
            .Add(CKA.CKA_SIGN, true)
            .Add(CKA.CKA_DECRYPT, false).Add(CKA.CKA_UNWRAP, false).Add(CKA.CKA_SIGN_RECOVER, false).Add(CKA.CKA_DERIVE, false);

    private AttributeTemplate EcPublicTemplate(byte[] id, string label, EcCurve curve) =>
        KeyTemplate(id, label, CKO.CKO_PUBLIC_KEY, CKK.CKK_EC)
            .Add(CKA.CKA_EC_PARAMS, curve.EcParams())
            .Add(CKA.CKA_VERIFY, true)
            .Add(CKA.CKA_ENCRYPT, false).Add(CKA.CKA_WRAP, false).Add(CKA.CKA_VERIFY_RECOVER, false).Add(CKA.CKA_DERIVE, false);

    private static RsaPublic ReadRsaPublic(ISession session, IObjectHandle publicKey)
    {
        using var values = ReadAttributes(session, publicKey, CKA.CKA_MODULUS, CKA.CKA_PUBLIC_EXPONENT);
        return new RsaPublic(values[0].GetValueAsByteArray(), values[1].GetValueAsByteArray());
    }

    private static EcPublic ReadEcPublic(ISession session, IObjectHandle publicKey, EcCurve curve)
    {
        using var values = ReadAttributes(session, publicKey, CKA.CKA_EC_POINT);
        var (x, y) = EcPointEncoding.Decode(curve, values[0].GetValueAsByteArray());
        return new EcPublic(curve.Name, x, y);
    }

    /// <summary>
    /// A module without the curve answers CKR_CURVE_NOT_SUPPORTED (PKCS#11 2.40), older ones
    /// CKR_DOMAIN_PARAMS_INVALID. (SoftHSM2 2.6.1 on Debian 12 has all four curves: it hands the OID to OpenSSL.)
    /// </summary>
    private static Func<NativePkcs11Exception, Pkcs11Exception?> CurveUnsupported(EcCurve curve) =>
        e => e.RV is CKR.CKR_CURVE_NOT_SUPPORTED or CKR.CKR_DOMAIN_PARAMS_INVALID or CKR.CKR_MECHANISM_INVALID or CKR.CKR_MECHANISM_PARAM_INVALID
            ? new Pkcs11MechanismUnsupportedException(nameof(CKM.CKM_EC_KEY_PAIR_GEN), $"curve {curve.Name}, OID {curve.Oid}", e)
            : null;
}
