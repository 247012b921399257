using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Keyhub.Core.Keys;

namespace Keyhub.Bench.Micro;

/// <summary>
/// The core's share of a key request after authentication and authorization, on the server's store stack
/// (CachingRecordStore over SQLite): KeyEngine reads and unseals the key's head and latest version, then
/// signs (PS256 / ES256 on a SHA-256 digest) or verifies with a pooled key object, or returns the key
/// (key get). Compare with JwkBenchmarks' "key object imported once" rows: the rest is KeyEngine's own work.
/// </summary>
[MemoryDiagnoser]
// Not sealed: BenchmarkDotNet refuses sealed benchmark classes (its generated runner derives from them).
public class KeyOperationBenchmarks
{
    private const string KeyName = "bench-key";
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly byte[] _digest = SHA256.HashData("keyhub micro-benchmark"u8);
    private Deployment _deployment = null!;
    private KeyEngine _keys = null!;
    private KeyOperationInput _sign = null!;
    private KeyOperationInput _verify = null!;

    [Params("RSA-2048", "EC-P256")]
    public string Key { get; set; } = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _deployment = await Deployment.StartAsync(StoreKind.CachedSqlite);
        _keys = _deployment.NewKeyEngine();
        var rsa = Key == "RSA-2048";
        await _keys.CreateAsync(
            Deployment.Vault,
            KeyName,
            rsa ? new NewKey(KeyTypes.Rsa) { KeySize = 2048 } : new NewKey(KeyTypes.Ec) { Curve = Curves.P256 },
            Ct);
        _sign = new KeyOperationInput(rsa ? "PS256" : "ES256", _digest);
        var signature = (await Sign()).Value;
        _verify = _sign with { Signature = signature };
        if (!await Verify())
        {
            throw new InvalidOperationException("The key's own signature does not verify.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _deployment.DisposeAsync();

    [Benchmark(Description = "KeyEngine.OperateAsync sign")]
    public Task<KeyOperationResult> Sign() => _keys.OperateAsync(Deployment.Vault, KeyName, null, KeyOperations.Sign, _sign, Ct);

    [Benchmark(Description = "KeyEngine.VerifyAsync")]
    public async Task<bool> Verify() => (await _keys.VerifyAsync(Deployment.Vault, KeyName, null, _verify, Ct)).Valid;

    [Benchmark(Description = "KeyEngine.GetAsync latest")]
    public Task<KeyVersion> Get() => _keys.GetAsync(Deployment.Vault, KeyName, null, Ct);
}
