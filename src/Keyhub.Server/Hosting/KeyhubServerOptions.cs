namespace Keyhub.Server.Hosting;

/// <summary>
/// Server settings, bound from the <c>Keyhub</c> configuration section and the command line.
/// Validated at startup, every problem listed at once.
/// </summary>
public sealed record KeyhubServerOptions
{
    /// <summary>Folder for the database, seal key and TLS files. Default <c>./.keyhub-dev</c> in dev mode.</summary>
    public string DataDirectory { get; init; } = ".keyhub-dev";

    /// <summary>Dev mode: generated TLS, loopback only, a ready hub vault and admin credentials.</summary>
    public bool Dev { get; init; }

    /// <summary>Main HTTPS port: token endpoint, discovery, management API, and (in dev) the hub vault. Default 8443; 0 picks a free port.</summary>
    public int Port { get; init; } = 8443;

    /// <summary>Listen on loopback only (always true in dev).</summary>
    public bool LoopbackOnly { get; init; } = true;

    /// <summary>Base domain for vaults addressed by host name (vault <c>hub</c> at <c>hub.{BaseDomain}</c>). Optional.</summary>
    public string? BaseDomain { get; init; }

    /// <summary>Origin of the token issuer, e.g. <c>https://localhost:8443</c>. Default: https://localhost:{Port}.</summary>
    public string? AuthorityOrigin { get; init; }

    /// <summary>Tenant id used when the deployment is created; kept afterwards. Default: a new GUID.</summary>
    public string? TenantId { get; init; }

    /// <summary>Vaults created at startup if missing. In dev mode <c>hub</c> is bound to <see cref="Port"/>.</summary>
    public List<VaultBinding> Vaults { get; init; } = [];

    /// <summary>Service principals declared in configuration (see <see cref="DeclaredPrincipal"/>).</summary>
    public List<DeclaredPrincipal> Principals { get; init; } = [];

    /// <summary>PEM certificate (chain) and key for TLS outside dev mode.</summary>
    public string? TlsCertificatePath { get; init; }
    public string? TlsKeyPath { get; init; }

    /// <summary>Extra DNS names for the generated dev certificate (besides localhost, 127.0.0.1, ::1 and *.BaseDomain).</summary>
    public List<string> DevCertificateNames { get; init; } = [];

    /// <summary>How often deleted objects past retention are purged.</summary>
    public TimeSpan PurgeInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often key rotation policies are checked for due Rotate and Notify actions.</summary>
    public TimeSpan RotationInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Automatic barrier rotation (encryptions per term, term age) and term retirement.</summary>
    public Keyhub.Core.Seal.BarrierPolicy Barrier { get; init; } = new();

    /// <summary>How often the barrier is checked for a due rotation and records under older terms are re-encrypted.</summary>
    public TimeSpan BarrierInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The PKCS#11 HSM of a deployment sealed by one: library override and PIN.</summary>
    public Keyhub.Server.Hsm.HsmOptions Hsm { get; init; } = new();

    /// <summary>The unsealed seal of a deployment sealed with shares or an HSM (set by `keyhub server` after unseal, never from configuration).</summary>
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("__unseal_only_in_process")]
    public SealSetup? Seal { get; init; }

    /// <summary>The opened HSM token (set by `keyhub server`, never from configuration): premium vaults keep their keys in it.</summary>
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("__hsm_token_only_in_process")]
    public Keyhub.Pkcs11.Pkcs11Token? HsmToken { get; init; }

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Port is < 0 or > 65535)
        {
            problems.Add($"Port {Port} is not a TCP port.");
        }
        if (!Dev && (TlsCertificatePath is null || TlsKeyPath is null))
        {
            problems.Add("Outside dev mode, Keyhub:TlsCertificatePath and Keyhub:TlsKeyPath are required (Keyhub serves HTTPS only).");
        }
        if (BaseDomain is not null && (BaseDomain.Length < 3 || BaseDomain.Contains('/', StringComparison.Ordinal) || BaseDomain.Contains(':', StringComparison.Ordinal)))
        {
            problems.Add($"BaseDomain '{BaseDomain}' is not a DNS name.");
        }
        foreach (var duplicate in Vaults.GroupBy(v => v.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add($"Vault '{duplicate.Key}' is declared twice.");
        }
        foreach (var duplicate in Vaults.Where(v => v.Port is not null).GroupBy(v => v.Port).Where(g => g.Count() > 1))
        {
            problems.Add($"Port {duplicate.Key} is bound to more than one vault.");
        }
        if (Vaults.Any(v => v.Port is null) && BaseDomain is null)
        {
            problems.Add("A vault without its own port is addressed by host name, which needs Keyhub:BaseDomain.");
        }
        foreach (var principal in Principals)
        {
            if (!Guid.TryParse(principal.ClientId, out _))
            {
                problems.Add($"Principal '{principal.DisplayName}': ClientId must be a GUID.");
            }
            if (!Keyhub.Core.Identity.ClientSecretHasher.IsWellFormedHash(principal.SecretHash))
            {
                problems.Add($"Principal '{principal.DisplayName}': SecretHash is not a hash from 'keyhub principal hash-secret'.");
            }
            foreach (var role in principal.Roles)
            {
                if (Keyhub.Core.Authorization.BuiltInRoles.Find(role.Role) is null)
                {
                    problems.Add($"Principal '{principal.DisplayName}': unknown role '{role.Role}'.");
                }
                try
                {
                    Keyhub.Core.Authorization.Scopes.Parse(role.Scope);
                }
                catch (Keyhub.Core.Errors.KeyhubException)
                {
                    problems.Add($"Principal '{principal.DisplayName}': invalid scope '{role.Scope}'.");
                }
            }
        }
        foreach (var duplicate in Principals.GroupBy(p => p.ClientId, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add($"Principal client id '{duplicate.Key}' is declared twice.");
        }
        return problems;
    }
}

/// <summary>A vault declared in configuration: bound to its own port, or addressed by host name.</summary>
public sealed record VaultBinding
{
    public required string Name { get; init; }
    public int? Port { get; init; }
    public int RetentionDays { get; init; } = 90;
    public bool PurgeProtection { get; init; }

    /// <summary>standard, or premium (-HSM keys; needs a deployment with an HSM).</summary>
    public string Sku { get; init; } = Keyhub.Core.Vaults.VaultProperties.StandardSku;
}
