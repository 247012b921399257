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
    private readonly KeyFileSeal _sealKey;

    private KeyhubRuntime(IRecordStore store, KeyFileSeal sealKey, SealManager seal, TimeProvider time, DeploymentInfo deployment)
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

    /// <summary>Opens (creating on first use) the deployment in <paramref name="dataDirectory"/> and unseals it with the dev key-file seal.</summary>
    public static async Task<KeyhubRuntime> OpenAsync(string dataDirectory, string? tenantId, TimeProvider time, CancellationToken cancellationToken)
    {
        DataDirectoryLock.CreatePrivate(dataDirectory);
        // The data folder lock makes this process the file's only writer, which the cache relies on.
        IRecordStore store = new CachingRecordStore(await SqliteRecordStore.OpenAsync(DatabasePath(dataDirectory), cancellationToken));
        KeyFileSeal? sealKey = null;
        SealManager? seal = null;
        try
        {
            sealKey = KeyFileSeal.OpenOrCreate(Path.Combine(dataDirectory, "seal.key"));
            seal = new SealManager(store, sealKey, time);
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
        _sealKey.Dispose();
        await Store.DisposeAsync();
    }
}
