using System.Security.Cryptography;
using Keyhub.Core.Authorization;
using Keyhub.Core.Identity;
using Keyhub.Core.Keys;
using Keyhub.Core.Seal;
using Keyhub.Core.Secrets;
using Keyhub.Core.Storage;
using Keyhub.Core.Vaults;
using Keyhub.Storage.Sqlite;

namespace Keyhub.Bench.Micro;

public enum StoreKind
{
    /// <summary>SqliteRecordStore alone: every read is a query.</summary>
    Sqlite,

    /// <summary>What the server runs: CachingRecordStore (point reads kept in memory) over SQLite.</summary>
    CachedSqlite,

    /// <summary>InMemoryRecordStore, the test double: the floor for storage costs.</summary>
    InMemory,
}

/// <summary>
/// An unsealed Keyhub core for one benchmark process: a fresh store (SQLite in its own temp folder, or the
/// in-memory one), the dev key-file seal, and the system clock (tokens are validated against real time).
/// The <c>New*</c> methods are the only places that construct core components, so a constructor change in
/// src/ (caches, options) is adapted here once.
/// </summary>
internal sealed class Deployment : IAsyncDisposable
{
    public const string Audience = "https://localhost";
    public const string SecretName = "bench-secret";

    public static readonly VaultProperties Vault = new() { Name = "hub" };

    public static readonly TokenOptions TokenOptions = new()
    {
        TenantId = "7f3c2a10-5b7e-4c1d-9a55-0b8e4e1f2a3b",
        AuthorityOrigin = "https://localhost:8443",
    };

    private readonly string _folder;
    private readonly KeyFileSeal _sealKey;

    private Deployment(string folder, IRecordStore store, KeyFileSeal sealKey, SealManager seal)
    {
        _folder = folder;
        Store = store;
        _sealKey = sealKey;
        Seal = seal;
    }

    public IRecordStore Store { get; }

    public SealManager Seal { get; }

    public TimeProvider Time => TimeProvider.System;

    public static async Task<Deployment> StartAsync(StoreKind kind)
    {
        var folder = Path.Combine(Path.GetTempPath(), "keyhub-bench-micro", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var database = Path.Combine(folder, "keyhub.db");
        IRecordStore store = kind switch
        {
            StoreKind.Sqlite => await SqliteRecordStore.OpenAsync(database, CancellationToken.None),
            // As KeyhubRuntime.OpenAsync builds it.
            StoreKind.CachedSqlite => new CachingRecordStore(await SqliteRecordStore.OpenAsync(database, CancellationToken.None)),
            _ => new InMemoryRecordStore(),
        };
        var sealKey = KeyFileSeal.OpenOrCreate(Path.Combine(folder, "seal.key"));
        var seal = new SealManager(store, sealKey, TimeProvider.System);
        await seal.InitializeOrUnsealAsync(CancellationToken.None);
        return new Deployment(folder, store, sealKey, seal);
    }

    public SecretEngine NewSecretEngine() => new(Store, Seal, Time);

    public PrincipalStore NewPrincipalStore() => new(Store, Seal, Time);

    public GroupStore NewGroupStore() => new(Store, Seal, Time);

    public RoleAssignmentStore NewRoleAssignmentStore() => new(Store, Seal, Time);

    public AccessEvaluator NewAccessEvaluator() => new(NewRoleAssignmentStore(), NewGroupStore());

    public KeyEngine NewKeyEngine() => new(Store, Seal, Time);

    public Task<SigningKey> EnsureSigningKeyAsync() => new SigningKeyStore(Store, Seal, Time).EnsureAsync(CancellationToken.None);

    public TokenService NewTokenService(SigningKey key) => new(key, NewPrincipalStore(), Time, TokenOptions);

    /// <summary>
    /// Adds <paramref name="count"/> records of one kind (names <c>{prefix}-00000</c>…) with random payloads of
    /// <paramref name="payloadBytes"/>, in one batch: the store only ever sees ciphertext, so random bytes are
    /// as good as sealed records for its read path, and one transaction keeps setup to about a second.
    /// </summary>
    public async Task FillAsync(string vault, string kind, string prefix, int count, int payloadBytes)
    {
        var now = Time.GetUtcNow();
        var writes = new List<RecordWrite>(count);
        for (var i = 0; i < count; i++)
        {
            writes.Add(new RecordWrite.Put(new StoredRecord
            {
                Key = new RecordKey(vault, kind, Name(prefix, i), ""),
                Created = now,
                Updated = now,
                Payload = RandomNumberGenerator.GetBytes(payloadBytes),
            }));
        }
        await Store.WriteAsync(writes, CancellationToken.None);
    }

    /// <summary>The secret bench/run.sh reads: a 64-character value, a content type and one tag.</summary>
    public static NewSecret BenchSecret() => new(new string('s', 64))
    {
        ContentType = "text/plain",
        Tags = new Dictionary<string, string> { ["env"] = "bench" },
    };

    public static string Name(string prefix, int i) => $"{prefix}-{i:D5}";

    public async ValueTask DisposeAsync()
    {
        Seal.Dispose();
        _sealKey.Dispose();
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leaked handle must not fail the run; the folder is under the temp directory anyway.
        }
    }
}
