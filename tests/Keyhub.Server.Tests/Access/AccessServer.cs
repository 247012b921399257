using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Access;

/// <summary>
/// The access tests' Keyhub (dev mode, system clock) with the dev admin's management client — the dev admin
/// is Owner at <c>/</c> and Key Vault Administrator on the hub — and helpers that make principals, groups,
/// role assignments and spoke vaults the way an operator does: through the management API only.
/// </summary>
public sealed class AccessServer : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<object>>> _once = new(StringComparer.Ordinal);
    private KeyhubTestServer? _server;
    private ManagementClient? _admin;

    public KeyhubTestServer Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <summary>The dev admin's management client (Owner of the deployment).</summary>
    internal ManagementClient Admin => _admin ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _server = await KeyhubTestServer.StartAsync();
        _admin = await ManagementClient.ConnectAsync(_server, _server.Credentials.ClientId, _server.Credentials.ClientSecret);
    }

    /// <summary>Makes something once per server (principals, worlds, spokes) and hands the same one to every test.</summary>
    internal async Task<T> OnceAsync<T>(string key, Func<Task<T>> create) =>
        (T)await _once.GetOrAdd(key, _ => new Lazy<Task<object>>(async () => (await create())!)).Value;

    /// <summary>The dev admin's data client on the hub (it administers the hub's data).</summary>
    internal Task<DataClient> HubAdminAsync() =>
        OnceAsync("hub-admin", () => DataClient.ConnectAsync(Server, Server.VaultUri, Server.Credentials.ClientId, Server.Credentials.ClientSecret));

    internal async Task<TestPrincipal> CreatePrincipalAsync(string label)
    {
        var displayName = $"{label}-{Guid.NewGuid():N}";
        var created = (await Admin.PostAsync("/principals", new JsonObject { ["displayName"] = displayName })).Ok(HttpStatusCode.Created);
        return new TestPrincipal(
            created.GetProperty("objectId").GetString()!,
            created.GetProperty("clientId").GetString()!,
            created.GetProperty("clientSecret").GetString()!,
            displayName);
    }

    internal async Task<string> CreateGroupAsync(string label)
    {
        var created = (await Admin.PostAsync("/groups", new JsonObject { ["displayName"] = $"{label}-{Guid.NewGuid():N}" })).Ok(HttpStatusCode.Created);
        return created.GetProperty("objectId").GetString()!;
    }

    internal async Task AddMemberAsync(string groupId, string objectId) =>
        (await Admin.PutAsync($"/groups/{groupId}/members/{objectId}")).Ok();

    /// <summary>Assigns <paramref name="role"/> (name or id) as the dev admin; returns the assignment id.</summary>
    internal async Task<string> AssignAsync(string principalId, string role, string scope)
    {
        var created = (await Admin.PostAsync("/roleassignments", new JsonObject { ["principalId"] = principalId, ["role"] = role, ["scope"] = scope }))
            .Ok(HttpStatusCode.Created);
        return created.GetProperty("id").GetString()!;
    }

    /// <summary>
    /// A spoke as <c>keyhub vault create &lt;name&gt; --owner-group &lt;group&gt; --port N</c> makes it: a team group
    /// with one principal, and a vault on its own port delegated to that group.
    /// </summary>
    internal async Task<Spoke> CreateSpokeAsync(string label)
    {
        var groupId = await CreateGroupAsync($"{label}-team");
        var team = await CreatePrincipalAsync($"{label}-app");
        await AddMemberAsync(groupId, team.ObjectId);
        var name = VaultName(label);
        var port = FreePort.Next();
        (await Admin.PostAsync("/vaults", new JsonObject { ["name"] = name, ["port"] = port, ["ownerGroupId"] = groupId })).Ok(HttpStatusCode.Created);
        return new Spoke(name, port, groupId, team);
    }

    /// <summary>A vault name (3-24 characters) no other test uses.</summary>
    internal static string VaultName(string label) => $"{label}-{Guid.NewGuid():N}"[..Math.Min(24, label.Length + 9)];

    internal Task<DataClient> DataAsync(Uri vault, TestPrincipal principal) => DataClient.ConnectAsync(Server, vault, principal);

    public async Task DisposeAsync()
    {
        _admin?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>Data-plane access on one server: the role × operation matrix, object scopes, revocation.</summary>
[CollectionDefinition(Name)]
public sealed class DataAccessCollection : ICollectionFixture<AccessServer>
{
    public const string Name = "access data keyhub";
}

/// <summary>Management on another server: hub and spokes, delegation, vault lifecycle, principals.</summary>
[CollectionDefinition(Name)]
public sealed class ManagementAccessCollection : ICollectionFixture<AccessServer>
{
    public const string Name = "access management keyhub";
}
