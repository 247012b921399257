using BenchmarkDotNet.Attributes;
using Keyhub.Core.Secrets;
using Keyhub.Core.Storage;

namespace Keyhub.Bench.Micro;

/// <summary>
/// The storage read path on a vault of 10,000 records: one record by key, a page of 25 (the default list
/// page) from the start and from the middle of the vault, and a whole SecretEngine get of the latest
/// version — head read + unseal, version read + unseal — which is the storage-and-barrier part of every
/// secret get. On SQLite alone, on SQLite behind CachingRecordStore (the server's stack: point reads
/// from memory, lists passed through), and on the in-memory store, the floor.
/// </summary>
[MemoryDiagnoser]
// Not sealed: BenchmarkDotNet refuses sealed benchmark classes (its generated runner derives from them).
public class StorageBenchmarks
{
    private const int Records = 10_000;
    private const string Kind = "secret";
    private const string Prefix = "filler";

    private static readonly CancellationToken Ct = CancellationToken.None;

    private Deployment _deployment = null!;
    private SecretEngine _secrets = null!;
    private RecordKey _key = null!;
    private RecordQuery _firstPage = null!;
    private RecordQuery _middlePage = null!;

    [Params(StoreKind.Sqlite, StoreKind.CachedSqlite, StoreKind.InMemory)]
    public StoreKind Store { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _deployment = await Deployment.StartAsync(Store);
        // Heads-shaped records (one per name, ~300-byte payloads) in the vault the benchmarks read.
        await _deployment.FillAsync(Deployment.Vault.Name, Kind, Prefix, Records, payloadBytes: 300);
        _key = new RecordKey(Deployment.Vault.Name, Kind, Deployment.Name(Prefix, Records / 2), "");
        _firstPage = new RecordQuery(Deployment.Vault.Name, Kind) { Limit = 25 };
        _middlePage = _firstPage with { After = Deployment.Name(Prefix, Records / 2) };
        _secrets = _deployment.NewSecretEngine();
        await _secrets.SetAsync(Deployment.Vault, Deployment.SecretName, Deployment.BenchSecret(), Ct);
        // A second version, so "latest" has to be resolved through the head rather than being the only row.
        await _secrets.SetAsync(Deployment.Vault, Deployment.SecretName, Deployment.BenchSecret(), Ct);
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _deployment.DisposeAsync();

    [Benchmark(Description = "GetAsync one record by key")]
    public Task<StoredRecord?> GetByKey() => _deployment.Store.GetAsync(_key, Ct);

    [Benchmark(Description = "ListAsync first page of 25")]
    public Task<IReadOnlyList<StoredRecord>> ListFirstPage() => _deployment.Store.ListAsync(_firstPage, Ct);

    // The same page size from the middle of the vault: a cost that grows with the position shows a scan.
    [Benchmark(Description = "ListAsync page of 25 after 5,000")]
    public Task<IReadOnlyList<StoredRecord>> ListMiddlePage() => _deployment.Store.ListAsync(_middlePage, Ct);

    [Benchmark(Description = "SecretEngine.GetAsync latest")]
    public Task<SecretVersion> SecretGet() => _secrets.GetAsync(Deployment.Vault, Deployment.SecretName, null, Ct);
}
