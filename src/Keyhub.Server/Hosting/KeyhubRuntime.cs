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

    private KeyhubRuntime(IRecordStore store, IDisposable? sealKey, SealManager seal, TimeProvider time, DeploymentInfo deployment)
    {
        Store = store;
        _sealKey = sealKey;
        Seal = seal;
        Time = time;
        Deployment = deployment;
        Vaults = new VaultRegistry(store, seal, time);
        Secrets = new SecretEngine(store, seal, time);
        Keys = new KeyEngine(store, seal, time);
        Principals = new PrincipalStore(store, seal, time);
        RoleAssignments = new RoleAssignmentStore(store, seal, time);
        Groups = new GroupStore(store, seal, time);
        SigningKeys = new SigningKeyStore(store, seal, time);
        Assertions = new ClientAssertionValidator(Principals, store, time);
        Access = new AccessEvaluator(RoleAssignments, Groups);
        Ca = new Keyhub.Core.Ca.WorkloadCa(store, seal, time);
        Certificates = new Keyhub.Core.Certificates.CertificateEngine(store, seal, time, Keys, Secrets, Ca);
    }

    public Keyhub.Core.Ca.WorkloadCa Ca { get; }
    public Keyhub.Core.Certificates.CertificateEngine Certificates { get; }

    public IRecordStore Store { get; }
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

    /// <summary>The deployment's Shamir configuration, or null when it is sealed with a key file (or does not exist yet).</summary>
    public static async Task<ShamirSealConfig?> ReadShamirConfigAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        if (!File.Exists(DatabasePath(dataDirectory)))
        {
            return null;
        }
        await using var store = await SqliteRecordStore.OpenAsync(DatabasePath(dataDirectory), cancellationToken);
        return await SealConfig.ReadShamirAsync(store, cancellationToken);
    }

    /// <summary>Opens (creating on first use) the deployment in <paramref name="dataDirectory"/> and unseals it with the dev key-file seal.</summary>
    public static Task<KeyhubRuntime> OpenAsync(string dataDirectory, string? tenantId, TimeProvider time, CancellationToken cancellationToken) =>
        OpenAsync(dataDirectory, tenantId, time, shamir: null, cancellationToken);

    /// <summary>
    /// Opens the deployment with an unsealed Shamir seal (or, when <paramref name="shamir"/> is null, the key
    /// file). A new deployment records the Shamir configuration; a Shamir deployment refuses the key file.
    /// </summary>
    public static async Task<KeyhubRuntime> OpenAsync(
        string dataDirectory, string? tenantId, TimeProvider time, ShamirSeal? shamir, CancellationToken cancellationToken, BarrierPolicy? barrier = null)
    {
        DataDirectoryLock.CreatePrivate(dataDirectory);
        // The data folder lock makes this process the file's only writer, which the cache relies on.
        IRecordStore store = new CachingRecordStore(await SqliteRecordStore.OpenAsync(DatabasePath(dataDirectory), cancellationToken));
        KeyFileSeal? sealKey = null;
        SealManager? seal = null;
        try
        {
            var recorded = await SealConfig.ReadShamirAsync(store, cancellationToken);
            if (shamir is null && recorded is not null)
            {
                throw new InvalidOperationException("This deployment is sealed with Shamir shares: start it with `keyhub server` and unseal it with `keyhub operator unseal`.");
            }
            if (shamir is not null && recorded is null)
            {
                if (await store.GetAsync(SealManager.RootKeyRecord, cancellationToken) is not null)
                {
                    throw new InvalidOperationException("This deployment is sealed with a key file, not with Shamir shares.");
                }
                await SealConfig.WriteShamirAsync(store, shamir.Config, time, cancellationToken);
            }
            ISeal active = shamir ?? (ISeal)(sealKey = KeyFileSeal.OpenOrCreate(Path.Combine(dataDirectory, "seal.key")));
            seal = new SealManager(store, active, time, barrier);
            await seal.InitializeOrUnsealAsync(cancellationToken);
            var deployment = await new DeploymentStore(store, seal, time).EnsureAsync(tenantId, cancellationToken);
            return new KeyhubRuntime(store, sealKey, seal, time, deployment);
        }
        catch
        {
            seal?.Dispose();
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
