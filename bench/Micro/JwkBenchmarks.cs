using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Keyhub.Core.Barrier;
using Keyhub.Core.Keys;
using Keyhub.Core.Storage;

namespace Keyhub.Bench.Micro;

/// <summary>
/// JWK conversion: key material is stored as a JWK (<see cref="KeyMaterial"/>) and must become an RSA/ECDsa
/// object to be used. Until f44888d KeyCrypto imported it for every operation; since then KeyObjects pools
/// the imported objects per key. Measured: sign and verify with a fresh import next to the same operation
/// on an object imported once (the difference is the import), the export of a generated key to a JWK (key
/// creation), and unsealing a stored JWK (JSON + barrier), which precedes every key operation.
/// </summary>
[MemoryDiagnoser]
// Not sealed: BenchmarkDotNet refuses sealed benchmark classes (its generated runner derives from them).
public class JwkBenchmarks
{
    private static readonly RecordKey VersionKey = new("hub", "key-version", "bench-key", "0123456789abcdef0123456789abcdef");

    private readonly byte[] _digest = SHA256.HashData("keyhub micro-benchmark"u8);
    private KeyMaterial _material = null!;
    private AsymmetricAlgorithm _generated = null!;
    private AsymmetricAlgorithm _imported = null!;
    private byte[] _signature = null!;
    private KeyRing _ring = null!;
    private RecordBarrier _barrier = null!;
    private StoredRecord _sealedMaterial = null!;

    [Params("RSA-2048", "EC-P256")]
    public string Key { get; set; } = null!;

    private bool IsRsa => Key == "RSA-2048";

    [GlobalSetup]
    public void Setup()
    {
        _generated = IsRsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _material = ExportJwk();
        _imported = Import(includePrivate: true);
        _signature = Sign(_imported);
        _ring = KeyRing.CreateNew(DateTimeOffset.UtcNow);
        _barrier = new RecordBarrier(_ring);
        var now = DateTimeOffset.UtcNow;
        _sealedMaterial = new StoredRecord { Key = VersionKey, Created = now, Updated = now, Payload = SealedJson.Encrypt(_barrier, VersionKey, _material) };
        using var publicKey = Import(includePrivate: false);
        if (!Verify(publicKey))
        {
            throw new InvalidOperationException("The JWK round trip does not verify.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _generated.Dispose();
        _imported.Dispose();
        _ring.Dispose();
    }

    [Benchmark(Description = "Sign, importing the JWK each time")]
    public byte[] SignImported()
    {
        using var key = Import(includePrivate: true);
        return Sign(key);
    }

    [Benchmark(Description = "Sign, key object imported once")]
    public byte[] SignReused() => Sign(_imported);

    [Benchmark(Description = "Verify, importing the JWK each time")]
    public bool VerifyImported()
    {
        using var key = Import(includePrivate: false);
        return Verify(key);
    }

    [Benchmark(Description = "Verify, key object imported once")]
    public bool VerifyReused() => Verify(_imported);

    [Benchmark(Description = "Key object -> JWK (export, as KeyFactory)")]
    public KeyMaterial ExportJwk()
    {
        // KeyFactory.FromRsa/FromEc, which are internal: the private parameters as JWK fields.
        if (_generated is RSA rsa)
        {
            var p = rsa.ExportParameters(includePrivateParameters: true);
            return new KeyMaterial { Kty = KeyTypes.Rsa, N = p.Modulus, E = p.Exponent, D = p.D, P = p.P, Q = p.Q, DP = p.DP, DQ = p.DQ, QI = p.InverseQ };
        }
        var e = ((ECDsa)_generated).ExportParameters(includePrivateParameters: true);
        return new KeyMaterial { Kty = KeyTypes.Ec, Crv = Curves.P256, X = e.Q.X, Y = e.Q.Y, D = e.D };
    }

    [Benchmark(Description = "Unseal stored JWK (SealedJson.Decrypt)")]
    public KeyMaterial UnsealJwk() => SealedJson.Decrypt<KeyMaterial>(_barrier, _sealedMaterial);

    private AsymmetricAlgorithm Import(bool includePrivate) =>
        IsRsa ? _material.CreateRsa(includePrivate) : _material.CreateEcdsa(includePrivate);

    // PS256 and ES256 on a SHA-256 digest, as the sign endpoint receives it.
    private byte[] Sign(AsymmetricAlgorithm key) => key is RSA rsa
        ? rsa.SignHash(_digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)
        : ((ECDsa)key).SignHash(_digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    private bool Verify(AsymmetricAlgorithm key) => key is RSA rsa
        ? rsa.VerifyHash(_digest, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)
        : ((ECDsa)key).VerifyHash(_digest, _signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
}
