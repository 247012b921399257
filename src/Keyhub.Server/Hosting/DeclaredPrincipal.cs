namespace Keyhub.Server.Hosting;

/// <summary>
/// A service principal declared in configuration (<c>Keyhub:Principals</c>). Configuration holds only
/// the secret's salted hash (from <c>keyhub principal hash-secret</c>), never the secret. Applied at
/// every start: created if missing, display name, enabled flag and secret hash brought in line, and
/// missing role assignments added. Removing an entry does not delete the principal; disable it instead.
/// </summary>
public sealed record DeclaredPrincipal
{
    public required string ClientId { get; init; }
    public required string DisplayName { get; init; }
    public required string SecretHash { get; init; }
    public bool Enabled { get; init; } = true;
    public List<DeclaredRoleAssignment> Roles { get; init; } = [];
}

public sealed record DeclaredRoleAssignment
{
    public required string Role { get; init; }
    public required string Scope { get; init; }
}
