using System.Security.Cryptography;
using static Keyhub.Pkcs11.Tests.TestBytes;

namespace Keyhub.Pkcs11.Tests;

[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11TokenSignaturesTests(Pkcs11TokenSignaturesTests.Keys keys) : IClassFixture<Pkcs11TokenSignaturesTests.Keys>
{
    public static TheoryData<string> Hashes => ["SHA256", "SHA384", "SHA512"];

    public static TheoryData<string> Curves => ["P-256", "P-384", "P-521"];

    private Pkcs11Token Token => keys.Token;

    [SoftHsmTheory]
    [MemberData(nameof(Hashes))]
    public void A_token_rsa_pkcs1_signature_verifies_in_software(string hashName)
    {
        var (hash, digest) = Digest(hashName);

        var signature = Token.SignRsaPkcs1(keys.GeneratedRsaId, hash, digest);

        using var rsa = RSA.Create(new RSAParameters { Modulus = keys.GeneratedRsa.Modulus, Exponent = keys.GeneratedRsa.Exponent });
        Assert.True(rsa.VerifyHash(digest, signature, hash, RSASignaturePadding.Pkcs1));
    }

    [SoftHsmTheory]
    [MemberData(nameof(Hashes))]
    public void A_token_rsa_pss_signature_verifies_in_software(string hashName)
    {
        var (hash, digest) = Digest(hashName);

        var signature = Token.SignRsaPss(keys.GeneratedRsaId, hash, digest);

        // .NET's PSS uses MGF1 with the same hash and a salt as long as the digest, as the token does.
        using var rsa = RSA.Create(new RSAParameters { Modulus = keys.GeneratedRsa.Modulus, Exponent = keys.GeneratedRsa.Exponent });
        Assert.True(rsa.VerifyHash(digest, signature, hash, RSASignaturePadding.Pss));
    }

    [SoftHsmTheory]
    [MemberData(nameof(Hashes))]
    public void A_software_rsa_pkcs1_signature_verifies_in_the_token(string hashName)
    {
        var (hash, digest) = Digest(hashName);

        var signature = keys.SoftwareRsa.SignHash(digest, hash, RSASignaturePadding.Pkcs1);

        Assert.True(Token.VerifyRsaPkcs1(keys.ImportedRsaId, hash, digest, signature));
    }

    [SoftHsmTheory]
    [MemberData(nameof(Hashes))]
    public void A_software_rsa_pss_signature_verifies_in_the_token(string hashName)
    {
        var (hash, digest) = Digest(hashName);

        var signature = keys.SoftwareRsa.SignHash(digest, hash, RSASignaturePadding.Pss);

        Assert.True(Token.VerifyRsaPss(keys.ImportedRsaId, hash, digest, signature));
    }

    [SoftHsmTheory]
    [MemberData(nameof(Hashes))]
    public void An_imported_rsa_key_signs_as_the_software_key_does(string hashName)
    {
        var (hash, digest) = Digest(hashName);

        // PKCS#1 v1.5 signatures are deterministic: same key, same digest, same bytes.
        Assert.Equal(keys.SoftwareRsa.SignHash(digest, hash, RSASignaturePadding.Pkcs1), Token.SignRsaPkcs1(keys.ImportedRsaId, hash, digest));
    }

    [SoftHsmTheory]
    [MemberData(nameof(Curves))]
    public void A_token_ecdsa_signature_is_fixed_length_r_s_and_verifies_in_software(string curve)
    {
        var (id, publicKey) = keys.GeneratedEc[curve];
        var digest = SHA512.HashData("message"u8);

        var signature = Token.SignEcdsa(id, digest);

        Assert.Equal(2 * publicKey.X.Length, signature.Length);
        using var ecdsa = ECDsa.Create(new ECParameters { Curve = Pkcs11TokenKeysTests.DotNetCurve(curve), Q = new ECPoint { X = publicKey.X, Y = publicKey.Y } });
        Assert.True(ecdsa.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [SoftHsmTheory]
    [MemberData(nameof(Curves))]
    public void A_software_ecdsa_signature_verifies_in_the_token(string curve)
    {
        var (id, software) = keys.ImportedEc[curve];
        var digest = SHA256.HashData("message"u8);

        var signature = software.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        Assert.True(Token.VerifyEcdsa(id, digest, signature));
    }

    [SoftHsmFact]
    public void A_token_ecdsa_signature_verifies_in_the_token()
    {
        var (id, _) = keys.GeneratedEc["P-256"];
        var digest = SHA256.HashData("message"u8);

        Assert.True(Token.VerifyEcdsa(id, digest, Token.SignEcdsa(id, digest)));
    }

    [SoftHsmFact]
    public void Tampered_truncated_or_foreign_rsa_signatures_do_not_verify()
    {
        var (hash, digest) = Digest("SHA256");
        var pkcs1 = Token.SignRsaPkcs1(keys.GeneratedRsaId, hash, digest);
        var pss = Token.SignRsaPss(keys.GeneratedRsaId, hash, digest);

        Assert.False(Token.VerifyRsaPkcs1(keys.GeneratedRsaId, hash, digest, Flip(pkcs1, 100)));
        Assert.False(Token.VerifyRsaPkcs1(keys.GeneratedRsaId, hash, digest, pkcs1[..^1]));
        Assert.False(Token.VerifyRsaPkcs1(keys.GeneratedRsaId, hash, Flip(digest, 0), pkcs1));
        Assert.False(Token.VerifyRsaPkcs1(keys.ImportedRsaId, hash, digest, pkcs1));
        Assert.False(Token.VerifyRsaPss(keys.GeneratedRsaId, hash, digest, Flip(pss, 7)));
        Assert.False(Token.VerifyRsaPss(keys.GeneratedRsaId, hash, digest, [.. pss, 0]));
        Assert.False(Token.VerifyRsaPss(keys.GeneratedRsaId, hash, digest, []));
        // The valid ones still verify, so the falses above are about the signatures.
        Assert.True(Token.VerifyRsaPkcs1(keys.GeneratedRsaId, hash, digest, pkcs1));
        Assert.True(Token.VerifyRsaPss(keys.GeneratedRsaId, hash, digest, pss));
    }

    [SoftHsmFact]
    public void Tampered_or_truncated_ecdsa_signatures_do_not_verify()
    {
        var (id, _) = keys.GeneratedEc["P-384"];
        var digest = SHA384.HashData("message"u8);
        var signature = Token.SignEcdsa(id, digest);

        Assert.False(Token.VerifyEcdsa(id, digest, Flip(signature, 3)));
        Assert.False(Token.VerifyEcdsa(id, digest, Flip(signature, signature.Length - 1)));
        Assert.False(Token.VerifyEcdsa(id, digest, signature[..^2]));
        Assert.False(Token.VerifyEcdsa(id, Flip(digest, 5), signature));
        Assert.True(Token.VerifyEcdsa(id, digest, signature));
    }

    [SoftHsmFact]
    public void A_digest_of_the_wrong_length_for_the_hash_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Token.SignRsaPkcs1(keys.GeneratedRsaId, HashAlgorithmName.SHA384, new byte[32]));
        Assert.Throws<ArgumentException>(() => Token.SignRsaPss(keys.GeneratedRsaId, HashAlgorithmName.SHA256, new byte[48]));
        Assert.Throws<ArgumentException>(() => Token.SignRsaPkcs1(keys.GeneratedRsaId, HashAlgorithmName.MD5, new byte[16]));
    }

    [SoftHsmFact]
    public void Signing_with_a_key_of_the_wrong_type_is_not_found()
    {
        var (ecId, _) = keys.GeneratedEc["P-256"];

        Assert.Throws<Pkcs11ObjectNotFoundException>(() => Token.SignRsaPkcs1(ecId, HashAlgorithmName.SHA256, new byte[32]));
        Assert.Throws<Pkcs11ObjectNotFoundException>(() => Token.SignEcdsa(keys.GeneratedRsaId, new byte[32]));
    }

    private static (HashAlgorithmName Hash, byte[] Digest) Digest(string hashName)
    {
        var hash = new HashAlgorithmName(hashName);
        using var algorithm = IncrementalHash.CreateHash(hash);
        algorithm.AppendData("message to sign"u8);
        return (hash, algorithm.GetHashAndReset());
    }

    public sealed class Keys : TokenFixture
    {
        public Keys()
            : base("signatures")
        {
            if (!SoftHsm.IsAvailable)
            {
                return;
            }

            GeneratedRsa = Token.GenerateRsaKeyPair(GeneratedRsaId, "generated rsa", 2048, [1, 0, 1]);
            Token.ImportRsaPrivateKey(ImportedRsaId, "imported rsa", SoftwareRsa.ExportParameters(includePrivateParameters: true));
            foreach (var curve in new[] { "P-256", "P-384", "P-521" })
            {
                var generated = NewId();
                GeneratedEc[curve] = (generated, Token.GenerateEcKeyPair(generated, "generated ec", curve));
                var imported = NewId();
                var software = ECDsa.Create(Pkcs11TokenKeysTests.DotNetCurve(curve));
                Token.ImportEcPrivateKey(imported, "imported ec", curve, software.ExportParameters(includePrivateParameters: true));
                ImportedEc[curve] = (imported, software);
            }
        }

        public byte[] GeneratedRsaId { get; } = NewId();

        public RsaPublic GeneratedRsa { get; } = null!;

        public byte[] ImportedRsaId { get; } = NewId();

        public RSA SoftwareRsa { get; } = RSA.Create(2048);

        public Dictionary<string, (byte[] Id, EcPublic Public)> GeneratedEc { get; } = [];

        public Dictionary<string, (byte[] Id, ECDsa Software)> ImportedEc { get; } = [];

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                SoftwareRsa.Dispose();
                foreach (var (_, software) in ImportedEc.Values)
                {
                    software.Dispose();
                }
            }

            base.Dispose(disposing);
        }
    }
}
