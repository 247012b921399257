using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Keyhub.Core.Authorization;
using Keyhub.Core.Barrier;
using Keyhub.Core.Identity;
using Keyhub.Core.Storage;

namespace Keyhub.Bench.Micro;

/// <summary>
/// The barrier: every record read unseals one payload and every write seals one. RecordBarrier on a
/// 300-byte payload (a secret version's JSON is about that size), next to bare AES-GCM on the same bytes,
/// so the envelope's own overhead (associated data, a new AesGcm per call) is visible; and SealedJson —
/// JSON plus barrier — on the records authorization and token validation unseal on every request.
/// </summary>
[MemoryDiagnoser]
// Not sealed: BenchmarkDotNet refuses sealed benchmark classes (its generated runner derives from them).
public class BarrierBenchmarks
{
    private const int PayloadBytes = 300;

    private static readonly RecordKey VersionKey = new("hub", "secret-version", "bench-secret", "0123456789abcdef0123456789abcdef");
    private static readonly RecordKey AssignmentKey = new(SystemVault.Name, "roleassignment", "5b1f9a52-3c1e-4f39-9d43-7c1f1f0a9b11", "");
    private static readonly RecordKey PrincipalKey = new(SystemVault.Name, "principal", "0b6f3c1e-4c2a-4f8e-8a53-2d9f6f1d0c77", "");

    private readonly byte[] _payload = RandomNumberGenerator.GetBytes(PayloadBytes);
    private readonly byte[] _aesKey = RandomNumberGenerator.GetBytes(KeyRing.KeySize);
    private readonly byte[] _nonce = RandomNumberGenerator.GetBytes(12);
    private readonly byte[] _ciphertext = new byte[PayloadBytes];
    private readonly byte[] _tag = new byte[16];
    private KeyRing _ring = null!;
    private RecordBarrier _barrier = null!;
    private AesGcm _reusedGcm = null!;
    private byte[] _sealedPayload = null!;
    private RoleAssignment _assignment = null!;
    private StoredRecord _assignmentRecord = null!;
    private StoredRecord _principalRecord = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ring = KeyRing.CreateNew(DateTimeOffset.UtcNow);
        _barrier = new RecordBarrier(_ring);
        _reusedGcm = new AesGcm(_aesKey, 16);
        _sealedPayload = _barrier.Encrypt(VersionKey, _payload);
        _assignment = new RoleAssignment(AssignmentKey.Name, Guid.NewGuid().ToString(), BuiltInRoles.SecretsUser.Id, "/vaults/hub");
        _assignmentRecord = Record(AssignmentKey, SealedJson.Encrypt(_barrier, AssignmentKey, _assignment));
        // A principal as PrincipalStore.AddAsync creates it: one hashed client secret.
        var principal = new ServicePrincipal
        {
            ObjectId = Guid.NewGuid().ToString(),
            ClientId = PrincipalKey.Name,
            DisplayName = "billing-app",
            Secrets = [new ClientSecretCredentialRecord(Guid.NewGuid().ToString(), ClientSecretHasher.Hash(ClientSecretHasher.NewSecret()), DateTimeOffset.UtcNow, null)],
        };
        _principalRecord = Record(PrincipalKey, SealedJson.Encrypt(_barrier, PrincipalKey, principal));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reusedGcm.Dispose();
        _ring.Dispose();
    }

    [Benchmark(Description = "RecordBarrier.Encrypt 300 B")]
    public byte[] BarrierEncrypt() => _barrier.Encrypt(VersionKey, _payload);

    [Benchmark(Description = "RecordBarrier.Decrypt 300 B")]
    public byte[] BarrierDecrypt() => _barrier.Decrypt(VersionKey, _sealedPayload);

    // Computed afresh for every Encrypt/Decrypt: a MemoryStream and five arrays per call.
    [Benchmark(Description = "RecordKey.ToAssociatedData")]
    public byte[] AssociatedData() => VersionKey.ToAssociatedData();

    // The floor: the AES-GCM work alone, on an AesGcm created once (a fixed nonce is fine here: the output
    // is thrown away).
    [Benchmark(Description = "AesGcm.Encrypt 300 B, reused instance")]
    public byte[] RawGcmReused()
    {
        _reusedGcm.Encrypt(_nonce, _payload, _ciphertext, _tag);
        return _ciphertext;
    }

    // What AesGcmEnvelope does per record: a new AesGcm (a native cipher context) for each call.
    [Benchmark(Description = "AesGcm.Encrypt 300 B, new instance")]
    public byte[] RawGcmNewInstance()
    {
        using var gcm = new AesGcm(_aesKey, 16);
        gcm.Encrypt(_nonce, _payload, _ciphertext, _tag);
        return _ciphertext;
    }

    [Benchmark(Description = "SealedJson.Encrypt RoleAssignment")]
    public byte[] SealedJsonEncryptAssignment() => SealedJson.Encrypt(_barrier, AssignmentKey, _assignment);

    [Benchmark(Description = "SealedJson.Decrypt RoleAssignment")]
    public RoleAssignment SealedJsonDecryptAssignment() => SealedJson.Decrypt<RoleAssignment>(_barrier, _assignmentRecord);

    [Benchmark(Description = "SealedJson.Decrypt ServicePrincipal")]
    public ServicePrincipal SealedJsonDecryptPrincipal() => SealedJson.Decrypt<ServicePrincipal>(_barrier, _principalRecord);

    private static StoredRecord Record(RecordKey key, byte[] payload)
    {
        var now = DateTimeOffset.UtcNow;
        return new StoredRecord { Key = key, Created = now, Updated = now, Payload = payload };
    }
}
