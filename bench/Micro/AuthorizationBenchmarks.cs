using BenchmarkDotNet.Attributes;
using Keyhub.Core.Authorization;

namespace Keyhub.Bench.Micro;

/// <summary>
/// One authorization decision, as every data-plane request makes it: "may this principal get this
/// secret?", with <see cref="Assignments"/> role assignments in the deployment (one of them the caller's
/// own, one to a group it is in, the rest to other principals at vault and object scopes) and five groups
/// of twenty members, the caller in two. Warm: the evaluator's snapshot is current (the steady state since
/// f44888d). Cold: the snapshot is rebuilt, which is what every decision cost before f44888d and what the
/// first one after a change costs now. Lists bypass CachingRecordStore, so SQLite stands for the server.
/// </summary>
[MemoryDiagnoser]
// Not sealed: BenchmarkDotNet refuses sealed benchmark classes (its generated runner derives from them).
public class AuthorizationBenchmarks
{
    private const int Groups = 5;
    private const int MembersPerGroup = 20;
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly string Scope = Scopes.Object(Deployment.Vault.Name, "secrets", "bench-secret");
    private static readonly string[] OtherVaults = ["hub", "payments", "billing", "search", "ops"];

    private Deployment _deployment = null!;
    private AccessEvaluator _access = null!;
    private string _principalId = null!;

    [Params(10, 200)]
    public int Assignments { get; set; }

    [Params(StoreKind.Sqlite, StoreKind.InMemory)]
    public StoreKind Store { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _deployment = await Deployment.StartAsync(Store);
        _principalId = Guid.NewGuid().ToString();
        var groups = _deployment.NewGroupStore();
        var groupIds = new List<string>();
        for (var g = 0; g < Groups; g++)
        {
            var group = await groups.AddAsync($"team-{g}", Ct);
            groupIds.Add(group.ObjectId);
            for (var m = 0; m < MembersPerGroup; m++)
            {
                var member = g < 2 && m == 0 ? _principalId : Guid.NewGuid().ToString();
                await groups.AddMemberAsync(group.ObjectId, member, Ct);
            }
        }
        var assignments = _deployment.NewRoleAssignmentStore();
        await assignments.AddAsync(_principalId, BuiltInRoles.SecretsUser.Id, Scopes.Vault(Deployment.Vault.Name), Ct);
        await assignments.AddAsync(groupIds[1], BuiltInRoles.Reader.Id, Scope, Ct);
        for (var i = 2; i < Assignments; i++)
        {
            var vault = OtherVaults[i % OtherVaults.Length];
            var scope = i % 2 == 0 ? Scopes.Vault(vault) : Scopes.Object(vault, "secrets", $"secret-{i}");
            await assignments.AddAsync(Guid.NewGuid().ToString(), BuiltInRoles.SecretsOfficer.Id, scope, Ct);
        }
        _access = _deployment.NewAccessEvaluator();
        if (!await _access.IsAllowedAsync(_principalId, DataActions.SecretsGet, Scope, Ct))
        {
            throw new InvalidOperationException("The benchmark principal should be allowed to get the secret.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _deployment.DisposeAsync();

    [Benchmark(Description = "IsAllowedAsync, warm")]
    public Task<bool> IsAllowed() => _access.IsAllowedAsync(_principalId, DataActions.SecretsGet, Scope, Ct);

    // A new evaluator has no snapshot: every assignment and group is listed and unsealed, as on the first
    // decision after any change to either.
    [Benchmark(Description = "IsAllowedAsync, cold")]
    public Task<bool> IsAllowedCold() => _deployment.NewAccessEvaluator().IsAllowedAsync(_principalId, DataActions.SecretsGet, Scope, Ct);
}
