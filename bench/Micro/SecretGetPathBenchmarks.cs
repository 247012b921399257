using BenchmarkDotNet.Attributes;
using Keyhub.Core.Authorization;
using Keyhub.Core.Identity;
using Keyhub.Core.Secrets;

namespace Keyhub.Bench.Micro;

/// <summary>
/// The core's share of one <c>GET /secrets/{name}/</c>, step by step and whole, in a deployment shaped like
/// bench/run.sh's (the dev admin and three principals with one role each; no groups): validate the bearer
/// token, authorize, get the latest version (head + version read and unseal). HTTP, JSON rendering and
/// logging are left out. Steps 1 and 2 are cached since f44888d, so each is measured twice: warm (a client
/// reusing its token, nothing changed — the steady state) and cold (a token seen for the first time: ES256
/// verify + principal read; the first decision after any assignment or group change: every assignment and
/// group read and unsealed). Token issuance (the token endpoint's work after the client secret check) is
/// alongside.
/// </summary>
[MemoryDiagnoser]
// Not sealed: BenchmarkDotNet refuses sealed benchmark classes (its generated runner derives from them).
public class SecretGetPathBenchmarks
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly string Scope = Scopes.Object(Deployment.Vault.Name, "secrets", Deployment.SecretName);

    private Deployment _deployment = null!;
    private SigningKey _signingKey = null!;
    private TokenService _tokens = null!;
    private AccessEvaluator _access = null!;
    private SecretEngine _secrets = null!;
    private ServicePrincipal _caller = null!;
    private string _token = null!;

    [Params(StoreKind.CachedSqlite, StoreKind.Sqlite)]
    public StoreKind Store { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _deployment = await Deployment.StartAsync(Store);
        var principals = _deployment.NewPrincipalStore();
        var assignments = _deployment.NewRoleAssignmentStore();
        var (admin, _) = await principals.AddAsync("keyhub-dev-admin", Ct);
        await assignments.AddAsync(admin.ObjectId, BuiltInRoles.Administrator.Id, Scopes.Root, Ct);
        (_caller, _) = await principals.AddAsync("bench-secrets-user", Ct);
        await assignments.AddAsync(_caller.ObjectId, BuiltInRoles.SecretsUser.Id, Scopes.Vault(Deployment.Vault.Name), Ct);
        var (officer, _) = await principals.AddAsync("bench-secrets-officer", Ct);
        await assignments.AddAsync(officer.ObjectId, BuiltInRoles.SecretsOfficer.Id, Scopes.Vault(Deployment.Vault.Name), Ct);
        var (crypto, _) = await principals.AddAsync("bench-crypto-user", Ct);
        await assignments.AddAsync(crypto.ObjectId, BuiltInRoles.CryptoUser.Id, Scopes.Vault(Deployment.Vault.Name), Ct);

        _signingKey = await _deployment.EnsureSigningKeyAsync();
        _tokens = _deployment.NewTokenService(_signingKey);
        _access = _deployment.NewAccessEvaluator();
        _secrets = _deployment.NewSecretEngine();
        await _secrets.SetAsync(Deployment.Vault, Deployment.SecretName, Deployment.BenchSecret(), Ct);
        (_token, _) = _tokens.Issue(_caller, Deployment.Audience);
        // Fail the setup rather than measure a fast rejection.
        if (await FullPath() != 64 || await ValidateTokenCold() is null || !await AuthorizeCold())
        {
            throw new InvalidOperationException("The secret get path did not return the secret.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _signingKey.Dispose();
        await _deployment.DisposeAsync();
    }

    [Benchmark(Description = "1. TokenService.ValidateAsync, warm")]
    public Task<AccessToken?> ValidateToken() => _tokens.ValidateAsync(_token, Deployment.Audience, Ct);

    // A new service has no validated tokens: signature, claims and principal are checked as on first use.
    [Benchmark(Description = "1. TokenService.ValidateAsync, cold")]
    public Task<AccessToken?> ValidateTokenCold() => _deployment.NewTokenService(_signingKey).ValidateAsync(_token, Deployment.Audience, Ct);

    [Benchmark(Description = "2. AccessEvaluator.IsAllowedAsync, warm")]
    public Task<bool> Authorize() => _access.IsAllowedAsync(_caller.ObjectId, DataActions.SecretsGet, Scope, Ct);

    // A new evaluator has no snapshot: it lists and unseals every assignment and group, as after a change.
    [Benchmark(Description = "2. AccessEvaluator.IsAllowedAsync, cold")]
    public Task<bool> AuthorizeCold() => _deployment.NewAccessEvaluator().IsAllowedAsync(_caller.ObjectId, DataActions.SecretsGet, Scope, Ct);

    [Benchmark(Description = "3. SecretEngine.GetAsync latest")]
    public Task<SecretVersion> GetSecret() => _secrets.GetAsync(Deployment.Vault, Deployment.SecretName, null, Ct);

    [Benchmark(Description = "1+2+3 whole secret get, warm")]
    public async Task<int> FullPath()
    {
        var token = await _tokens.ValidateAsync(_token, Deployment.Audience, Ct)
            ?? throw new InvalidOperationException("The token did not validate.");
        if (!await _access.IsAllowedAsync(token.ObjectId, DataActions.SecretsGet, Scope, Ct))
        {
            throw new InvalidOperationException("The caller was not authorized.");
        }
        var secret = await _secrets.GetAsync(Deployment.Vault, Deployment.SecretName, null, Ct);
        return secret.Value!.Length;
    }

    [Benchmark(Description = "TokenService.Issue")]
    public string IssueToken() => _tokens.Issue(_caller, Deployment.Audience).Token;
}
