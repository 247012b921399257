using Keyhub.Core.Authorization;
using Keyhub.Core.Identity;
using Keyhub.Core.Keys;
using Keyhub.Core.Seal;
using Keyhub.Core.Secrets;
using Keyhub.Core.Storage;
using Keyhub.Core.Vaults;
using Keyhub.Storage.Sqlite;

namespace Keyhub.Server.Hosting;

/// <summary>
/// The core services over one data folder: store, seal, engines, identity and access. Used by the
/// server and by the offline command-line tools alike.
/// </summary>
public sealed class KeyhubRuntime : IAsyncDisposable
{
    private readonly IDisposable? _sealKey;

    private KeyhubRuntime(IRecordStore store, IDisposable? sealKey, SealManager seal, TimeProvider time, DeploymentInfo deployment, IHsmKeys? hsm)
    {
        Hsm = hsm;
        Store = store;
        _sealKey = sealKey;
        Seal = seal;
        Time = time;
        Deployment = deployment;
        Vaults = new VaultRegistry(store, seal, time);
        Secrets = new SecretEngine(store, seal, time);
        Keys = new KeyEngine(store, seal, time, hsm);
        Vaults.RecordsPurged = Keys.DestroyHsmObjectsOf;
        Principals = new PrincipalStore(store, seal, time);
        RoleAssignments = new RoleAssignmentStore(store, seal, time);
        Groups = new GroupStore(store, seal, time);
        SigningKeys = new SigningKeyStore(store, seal, time);
        Assertions = new ClientAssertionValidator(Principals, store, time);
        Access = new AccessEvaluator(RoleAssignments, Groups);
        Ca = new Keyhub.Core.Ca.WorkloadCa(store, seal, time, hsm);
        Certificates = new Keyhub.Core.Certificates.CertificateEngine(store, seal, time, Keys, Secrets, Ca);
    }

    public Keyhub.Core.Ca.WorkloadCa Ca { get; }
    public Keyhub.Core.Certificates.CertificateEngine Certificates { get; }

    public IRecordStore Store { get; }

    /// <summary>The HSM premium vaults keep their keys in, or null (no HSM, or unsealed without it).</summary>
    public IHsmKeys? Hsm { get; }
    public SealManager Seal { get; }
    public TimeProvider Time { get; }
    public DeploymentInfo Deployment { get; }
    public VaultRegistry Vaults { get; }
    public SecretEngine Secrets { get; }
    public KeyEngine Keys { get; }
    public PrincipalStore Principals { get; }
    public RoleAssignmentStore RoleAssignments { get; }
    public GroupStore Groups { get; }
    public SigningKeyStore SigningKeys { get; }
    public ClientAssertionValidator Assertions { get; }
    public AccessEvaluator Access { get; }

    public static string DatabasePath(string dataDirectory) => Path.Combine(dataDirectory, "keyhub.db");

    /// <summary>How the deployment is sealed (null: with the key file, or it does not exist yet).</summary>
    public static async Task<SealSettings?> ReadSealSettingsAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        if (!File.Exists(DatabasePath(dataDirectory)))
        {
            return null;
        }
        await using var store = await SqliteRecordStore.OpenAsync(DatabasePath(dataDirectory), cancellationToken);
        return await SealConfig.ReadAsync(store, cancellationToken);
    }

    /// <summary>The wrapped root key as stored, so an HSM seal can be tried before the server starts.</summary>
    public static async Task<byte[]?> ReadWrappedRootKeyAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        await using var store = await SqliteRecordStore.OpenAsync(DatabasePath(dataDirectory), cancellationToken);
        return (await store.GetAsync(SealManager.RootKeyRecord, cancellationToken))?.Payload;
    }

    /// <summary>Opens (creating on first use) the deployment in <paramref name="dataDirectory"/> and unseals it with the dev key-file seal.</summary>
    public static Task<KeyhubRuntime> OpenAsync(string dataDirectory, string? tenantId, TimeProvider time, CancellationToken cancellationToken) =>
        OpenAsync(dataDirectory, tenantId, time, seal: null, cancellationToken);

    /// <summary>
    /// Opens the deployment with an unsealed seal of the kind it records (or, when <paramref name="seal"/> is null, the
    /// key file). A new deployment records <see cref="SealSetup.NewSettings"/> with its root key, atomically.
    /// </summary>
    public static async Task<KeyhubRuntime> OpenAsync(
        string dataDirectory, string? tenantId, TimeProvider time, SealSetup? seal, CancellationToken cancellationToken, BarrierPolicy? barrier = null, IHsmKeys? hsm = null)
    {
        DataDirectoryLock.CreatePrivate(dataDirectory);
        // The data folder lock makes this process the file's only writer, which the cache relies on.
        IRecordStore store = new CachingRecordStore(await SqliteRecordStore.OpenAsync(DatabasePath(dataDirectory), cancellationToken));
        KeyFileSeal? sealKey = null;
        SealManager? manager = null;
        try
        {
            var recorded = await SealConfig.ReadAsync(store, cancellationToken);
            var exists = await store.GetAsync(SealManager.RootKeyRecord, cancellationToken) is not null;
            switch (recorded?.Kind)
            {
                case SealSettings.ShamirKind when seal?.Seal.Kind != SealSettings.ShamirKind:
                    throw new InvalidOperationException("This deployment is sealed with Shamir shares: start it with `keyhub server` and unseal it with `keyhub operator unseal`.");
                case SealSettings.HsmKind when seal?.Seal.Kind is not (SealSettings.HsmKind or ShamirSeal.RecoveryKind):
                    throw new InvalidOperationException("This deployment is sealed by an HSM: start it with `keyhub server` (the HSM unseals it; recovery shares if the HSM is lost).");
                case null when exists && seal is not null:
                    throw new InvalidOperationException("This deployment is sealed with a key file, not with Shamir shares or an HSM.");
                case null when !exists && seal is not null && seal.NewSettings is null:
                    throw new InvalidOperationException("A new sealed deployment needs its seal settings.");
                default:
                    break;
            }
            ISeal active = seal?.Seal ?? (sealKey = KeyFileSeal.OpenOrCreate(Path.Combine(dataDirectory, "seal.key")));
            manager = new SealManager(store, active, time, barrier);
            await manager.InitializeOrUnsealAsync(cancellationToken, seal?.NewSettings, seal?.NewRootKey);
            var deployment = await new DeploymentStore(store, manager, time).EnsureAsync(tenantId, cancellationToken);
            return new KeyhubRuntime(store, sealKey, manager, time, deployment, hsm);
        }
        catch
        {
            manager?.Dispose();
            sealKey?.Dispose();
            await store.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Seal.Dispose();
        _sealKey?.Dispose();
        await Store.DisposeAsync();
    }
}

/// <summary>
/// An unsealed seal to open a deployment with; for a new deployment also the settings to record and, when recovery
/// shares were split from it, the root key to create it with.
/// </summary>
public sealed record SealSetup(ISeal Seal, SealSettings? NewSettings = null, ReadOnlyMemory<byte>? NewRootKey = null);
