namespace Keyhub.Server.Tests.Access;

/// <summary>A service principal made through the management API, with the client secret its creation returned.</summary>
internal sealed record TestPrincipal(string ObjectId, string ClientId, string ClientSecret, string DisplayName);

/// <summary>
/// A spoke vault made through the management API: bound to its own port, delegated to <see cref="GroupId"/>
/// (the team's group), whose one member is <see cref="Team"/>.
/// </summary>
internal sealed record Spoke(string Name, int Port, string GroupId, TestPrincipal Team)
{
    public Uri Uri => new($"https://localhost:{Port}");

    public string Scope => $"/vaults/{Name}";
}
