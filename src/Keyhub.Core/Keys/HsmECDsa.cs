using System.Security.Cryptography;

namespace Keyhub.Core.Keys;

/// <summary>
/// An <see cref="ECDsa"/> whose private key is an object in the HSM: hashes are signed there, and only the public
/// key can be exported. Lets .NET's certificate and CRL builders sign with a key that never leaves the token
/// (through <c>X509SignatureGenerator.CreateForECDsa</c>).
/// </summary>
public sealed class HsmECDsa : ECDsa
{
    private readonly IHsmKeys _hsm;
    private readonly byte[] _id;
    private readonly ECParameters _public;

    public HsmECDsa(IHsmKeys hsm, byte[] id, string curve, byte[] x, byte[] y)
    {
        _hsm = hsm;
        _id = id;
        _public = new ECParameters { Curve = Curves.ToCurve(curve), Q = new ECPoint { X = x, Y = y } };
        KeySizeValue = new KeyMaterial { Kty = KeyTypes.Ec, Crv = curve }.Size;
        LegalKeySizesValue = [new KeySizes(KeySizeValue, KeySizeValue, 0)];
    }

    public override byte[] SignHash(byte[] hash)
    {
        try
        {
            return _hsm.SignEcdsa(_id, hash);
        }
        catch (HsmOperationException ex)
        {
            throw new CryptographicException("The HSM could not sign.", ex);
        }
    }

    public override bool VerifyHash(byte[] hash, byte[] signature)
    {
        try
        {
            return _hsm.VerifyEcdsa(_id, hash, signature);
        }
        catch (HsmOperationException)
        {
            return false;
        }
    }

    public override ECParameters ExportParameters(bool includePrivateParameters) =>
        includePrivateParameters
            ? throw new CryptographicException("The private key is in the HSM and cannot be exported.")
            : new ECParameters { Curve = _public.Curve, Q = new ECPoint { X = _public.Q.X!.ToArray(), Y = _public.Q.Y!.ToArray() } };

    public override ECParameters ExportExplicitParameters(bool includePrivateParameters) =>
        throw new CryptographicException("The HSM key's curve is exported by name only.");

    public override void ImportParameters(ECParameters parameters) =>
        throw new CryptographicException("An HSM key cannot be replaced.");

    public override void GenerateKey(ECCurve curve) =>
        throw new CryptographicException("HSM keys are generated in the HSM.");

    protected override byte[] HashData(byte[] data, int offset, int count, HashAlgorithmName hashAlgorithm) =>
        CryptographicOperations.HashData(hashAlgorithm, data.AsSpan(offset, count));

    protected override byte[] HashData(Stream data, HashAlgorithmName hashAlgorithm) =>
        CryptographicOperations.HashData(hashAlgorithm, data);
}
