using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using NativePkcs11Exception = Net.Pkcs11Interop.Common.Pkcs11Exception;

namespace Keyhub.Pkcs11;

// Signatures over digests the caller computed: the raw mechanisms (CKM_RSA_PKCS, CKM_RSA_PKCS_PSS,
// CKM_ECDSA) take the digest, so one token key serves every hash. Signing uses the private key object,
// verifying the public key object with the same CKA_ID.
public sealed partial class Pkcs11Token
{
    /// <summary>RSASSA-PKCS1-v1_5 over a SHA-256/384/512 digest (the DigestInfo is built here).</summary>
    public byte[] SignRsaPkcs1(byte[] id, HashAlgorithmName hash, ReadOnlySpan<byte> digest)
    {
        CheckId(id);
        var digestInfo = DigestInfo.Build(hash, digest);
        return Sign(id, CKK.CKK_RSA, "RSA private key", nameof(CKM.CKM_RSA_PKCS), () => Plain(CKM.CKM_RSA_PKCS), digestInfo);
    }

    /// <summary>RSASSA-PSS with MGF1 over the same hash and a salt as long as the digest.</summary>
    public byte[] SignRsaPss(byte[] id, HashAlgorithmName hash, ReadOnlySpan<byte> digest)
    {
        CheckId(id);
        HashParameters.CheckDigest(hash, digest);
        return Sign(id, CKK.CKK_RSA, "RSA private key", nameof(CKM.CKM_RSA_PKCS_PSS), () => PssMechanism(hash), digest.ToArray());
    }

    /// <summary>ECDSA over a digest; the signature is r||s, each left-padded to the curve's size (the JWS form).</summary>
    public byte[] SignEcdsa(byte[] id, ReadOnlySpan<byte> digest)
    {
        CheckId(id);
        CheckNotEmpty(digest);
        return Sign(id, CKK.CKK_EC, "EC private key", nameof(CKM.CKM_ECDSA), () => Plain(CKM.CKM_ECDSA), digest.ToArray());
    }

    /// <summary>Checks an RSASSA-PKCS1-v1_5 signature in the token; false when it does not verify.</summary>
    public bool VerifyRsaPkcs1(byte[] id, HashAlgorithmName hash, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature)
    {
        CheckId(id);
        var digestInfo = DigestInfo.Build(hash, digest);
        return Verify(id, CKK.CKK_RSA, "RSA public key", nameof(CKM.CKM_RSA_PKCS), () => Plain(CKM.CKM_RSA_PKCS), digestInfo, signature.ToArray());
    }

    /// <summary>Checks an RSASSA-PSS signature (MGF1 with the same hash, salt = digest length); false when it does not verify.</summary>
    public bool VerifyRsaPss(byte[] id, HashAlgorithmName hash, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature)
    {
        CheckId(id);
        HashParameters.CheckDigest(hash, digest);
        return Verify(id, CKK.CKK_RSA, "RSA public key", nameof(CKM.CKM_RSA_PKCS_PSS), () => PssMechanism(hash), digest.ToArray(), signature.ToArray());
    }

    /// <summary>Checks an r||s ECDSA signature over a digest; false when it does not verify.</summary>
    public bool VerifyEcdsa(byte[] id, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature)
    {
        CheckId(id);
        CheckNotEmpty(digest);
        return Verify(id, CKK.CKK_EC, "EC public key", nameof(CKM.CKM_ECDSA), () => Plain(CKM.CKM_ECDSA), digest.ToArray(), signature.ToArray());
    }

    private byte[] Sign(byte[] id, CKK keyType, string what, string mechanismName, Func<OwnedMechanism> mechanism, byte[] data)
    {
        Require(mechanismName);
        return Run("C_Sign", session =>
        {
            var key = FindKey(session, id, CKO.CKO_PRIVATE_KEY, keyType, what);
            using var m = mechanism();
            return session.Sign(m.Mechanism, key, data);
        }, Unsupported(mechanismName));
    }

    private bool Verify(byte[] id, CKK keyType, string what, string mechanismName, Func<OwnedMechanism> mechanism, byte[] data, byte[] signature)
    {
        Require(mechanismName);
        if (signature.Length == 0)
        {
            return false;
        }

        return Run("C_Verify", session =>
        {
            var key = FindKey(session, id, CKO.CKO_PUBLIC_KEY, keyType, what);
            using var m = mechanism();
            try
            {
                // Pkcs11Interop reports CKR_SIGNATURE_INVALID as valid = false.
                session.Verify(m.Mechanism, key, data, signature, out var valid);
                return valid;
            }
            catch (NativePkcs11Exception e) when (e.RV == CKR.CKR_SIGNATURE_LEN_RANGE)
            {
                // A signature of the wrong length is as invalid as a wrong one; C_Verify has ended the operation.
                return false;
            }
        }, Unsupported(mechanismName));
    }

    private OwnedMechanism PssMechanism(HashAlgorithmName hash)
    {
        var (hashMechanism, mgf, length) = HashParameters.Of(hash);
        var parameters = Factories.MechanismParamsFactory.CreateCkRsaPkcsPssParams((ulong)hashMechanism, (ulong)mgf, (ulong)length);
        return new OwnedMechanism(Factories.MechanismFactory.Create(CKM.CKM_RSA_PKCS_PSS, parameters), parameters);
    }

    private static void CheckNotEmpty(ReadOnlySpan<byte> digest)
    {
        if (digest.IsEmpty)
        {
            throw new ArgumentException("the digest must not be empty", nameof(digest));
        }
    }
}
