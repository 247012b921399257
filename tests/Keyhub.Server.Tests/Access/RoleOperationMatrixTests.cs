namespace Keyhub.Server.Tests.Access;

/// <summary>
/// Every built-in Key Vault data role against every secrets and keys operation, on the hub. The expectations
/// are a table written by hand from wire.md §5.1 (each role's data actions) and §5.2 (operation → data action),
/// never derived from Keyhub's own role table: a mistake in BuiltInRoles or in an endpoint's data action shows
/// up here as a cell that disagrees. Operations §5.2 does not list follow Keyhub's documented choice: get/list
/// deleted secrets need <c>secrets/readMetadata/action</c>; get/list deleted keys and <c>/rng</c> need <c>keys/read</c>.
/// </summary>
[Collection(DataAccessCollection.Name)]
public sealed class RoleOperationMatrixTests(AccessServer fixture)
{
    /// <summary>The columns of <see cref="Table"/>: wire.md §5.1's role names and ids, copied by hand.</summary>
    private static readonly (string Column, string Name, string Id)[] Roles =
    [
        ("KVA", "Key Vault Administrator", "00482a5a-887f-4fb3-b363-3b7fe8e74483"),
        ("CO", "Key Vault Crypto Officer", "14b46e9e-c2b7-41b4-b07b-48a6ebf60603"),
        ("CU", "Key Vault Crypto User", "12338af0-0e69-4776-bea7-57ae8d297424"),
        ("CSEU", "Key Vault Crypto Service Encryption User", "e147488a-f6f5-4113-8e2d-b22465e65bf6"),
        ("SO", "Key Vault Secrets Officer", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"),
        ("SU", "Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6"),
        ("CerO", "Key Vault Certificates Officer", "a4417e6f-fecd-4de8-b567-7b0420556985"),
        ("CerU", "Key Vault Certificate User", "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba"),
        ("RD", "Key Vault Reader", "21090545-7ca7-4776-b22c-e363652d74d2"),
        ("DAA", "Key Vault Data Access Administrator", "8b54135c-b56d-4d72-a534-26097cfdc8d8"),
    ];

    // Y = allowed, - = 403. Why, per column (wire.md §5.1, all actions under Microsoft.KeyVault/vaults/):
    //   KVA  vaults/*                        CO   keys/*, keyrotationpolicies/*
    //   CU   keys/read, update, backup, encrypt, decrypt, wrap, unwrap, sign, verify
    //   CSEU keys/read, wrap, unwrap         SO   secrets/*
    //   SU   secrets/getSecret, readMetadata CerO certificatecas/*, certificates/*, certificatecontacts/write
    //   CerU certificates/read, secrets/getSecret, secrets/readMetadata, keys/read
    //   RD   */read (so keys/read and keyrotationpolicies/read), secrets/readMetadata
    //   DAA  no data actions
    private const string Table = """
        operation               | KVA | CO | CU | CSEU | SO | SU | CerO | CerU | RD | DAA
        secret get              |  Y  | -  | -  |  -   | Y  | Y  |  -   |  Y   | -  |  -
        secret list             |  Y  | -  | -  |  -   | Y  | Y  |  -   |  Y   | Y  |  -
        secret list versions    |  Y  | -  | -  |  -   | Y  | Y  |  -   |  Y   | Y  |  -
        secret set              |  Y  | -  | -  |  -   | Y  | -  |  -   |  -   | -  |  -
        secret update           |  Y  | -  | -  |  -   | Y  | -  |  -   |  -   | -  |  -
        secret delete           |  Y  | -  | -  |  -   | Y  | -  |  -   |  -   | -  |  -
        secret get deleted      |  Y  | -  | -  |  -   | Y  | Y  |  -   |  Y   | Y  |  -
        secret list deleted     |  Y  | -  | -  |  -   | Y  | Y  |  -   |  Y   | Y  |  -
        secret recover          |  Y  | -  | -  |  -   | Y  | -  |  -   |  -   | -  |  -
        secret backup           |  Y  | -  | -  |  -   | Y  | -  |  -   |  -   | -  |  -
        secret restore          |  Y  | -  | -  |  -   | Y  | -  |  -   |  -   | -  |  -
        secret purge            |  Y  | -  | -  |  -   | Y  | -  |  -   |  -   | -  |  -
        key get                 |  Y  | Y  | Y  |  Y   | -  | -  |  -   |  Y   | Y  |  -
        key list                |  Y  | Y  | Y  |  Y   | -  | -  |  -   |  Y   | Y  |  -
        key list versions       |  Y  | Y  | Y  |  Y   | -  | -  |  -   |  Y   | Y  |  -
        key get deleted         |  Y  | Y  | Y  |  Y   | -  | -  |  -   |  Y   | Y  |  -
        key list deleted        |  Y  | Y  | Y  |  Y   | -  | -  |  -   |  Y   | Y  |  -
        key rng                 |  Y  | Y  | Y  |  Y   | -  | -  |  -   |  Y   | Y  |  -
        key create              |  Y  | Y  | -  |  -   | -  | -  |  -   |  -   | -  |  -
        key import              |  Y  | Y  | -  |  -   | -  | -  |  -   |  -   | -  |  -
        key update              |  Y  | Y  | Y  |  -   | -  | -  |  -   |  -   | -  |  -
        key delete              |  Y  | Y  | -  |  -   | -  | -  |  -   |  -   | -  |  -
        key recover             |  Y  | Y  | -  |  -   | -  | -  |  -   |  -   | -  |  -
        key backup              |  Y  | Y  | Y  |  -   | -  | -  |  -   |  -   | -  |  -
        key restore             |  Y  | Y  | -  |  -   | -  | -  |  -   |  -   | -  |  -
        key purge               |  Y  | Y  | -  |  -   | -  | -  |  -   |  -   | -  |  -
        key rotate              |  Y  | Y  | -  |  -   | -  | -  |  -   |  -   | -  |  -
        key get rotation policy |  Y  | Y  | -  |  -   | -  | -  |  -   |  -   | Y  |  -
        key set rotation policy |  Y  | Y  | -  |  -   | -  | -  |  -   |  -   | -  |  -
        key encrypt             |  Y  | Y  | Y  |  -   | -  | -  |  -   |  -   | -  |  -
        key decrypt             |  Y  | Y  | Y  |  -   | -  | -  |  -   |  -   | -  |  -
        key wrap                |  Y  | Y  | Y  |  Y   | -  | -  |  -   |  -   | -  |  -
        key unwrap              |  Y  | Y  | Y  |  Y   | -  | -  |  -   |  -   | -  |  -
        key sign                |  Y  | Y  | Y  |  -   | -  | -  |  -   |  -   | -  |  -
        key verify              |  Y  | Y  | Y  |  -   | -  | -  |  -   |  -   | -  |  -
        """;

    private static readonly List<(string Operation, string Role, bool Allowed)> Expectations = Parse();

    public static TheoryData<string, string, bool> Cells
    {
        get
        {
            var data = new TheoryData<string, string, bool>();
            foreach (var (operation, role, allowed) in Expectations)
            {
                data.Add(role, operation, allowed);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task A_role_allows_exactly_the_operations_its_data_actions_grant(string role, string operation, bool allowed)
    {
        var (caller, world) = await RoleOnHubAsync(role);
        var owner = await fixture.HubAdminAsync();
        var problem = allowed
            ? await DataOperations.CheckAllowedAsync(caller, owner, world, operation)
            : await DataOperations.CheckForbiddenAsync(caller, owner, world, operation);
        Assert.True(problem is null, $"{role}, {problem}");
    }

    [Fact]
    public void The_table_covers_every_role_and_every_operation_once()
    {
        Assert.Equal(Roles.Length * DataOperations.All.Count, Expectations.Count);
        Assert.Equal(DataOperations.All, Expectations.Select(e => e.Operation).Distinct());
        Assert.Equal(Roles.Select(r => r.Name), Expectations.Select(e => e.Role).Distinct());
    }

    /// <summary>A principal holding only <paramref name="role"/> on the hub (assigned by id), and a world of its own there.</summary>
    private Task<(DataClient Caller, DataWorld World)> RoleOnHubAsync(string role) => fixture.OnceAsync($"matrix:{role}", async () =>
    {
        var (column, _, id) = Roles.Single(r => r.Name == role);
        var principal = await fixture.CreatePrincipalAsync($"matrix-{column}");
        await fixture.AssignAsync(principal.ObjectId, id, "/vaults/hub");
        var world = await DataWorld.PrepareAsync(await fixture.HubAdminAsync(), $"matrix-{column.ToLowerInvariant()}");
        return (await fixture.DataAsync(fixture.Server.VaultUri, principal), world);
    });

    private static List<(string Operation, string Role, bool Allowed)> Parse()
    {
        var lines = Table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = lines[0].Split('|', StringSplitOptions.TrimEntries);
        Assert.Equal(Roles.Select(r => r.Column), header[1..]);
        var cells = new List<(string, string, bool)>();
        foreach (var line in lines[1..])
        {
            var fields = line.Split('|', StringSplitOptions.TrimEntries);
            Assert.Equal(header.Length, fields.Length);
            for (var column = 1; column < fields.Length; column++)
            {
                Assert.True(fields[column] is "Y" or "-", line);
                cells.Add((fields[0], Roles[column - 1].Name, fields[column] == "Y"));
            }
        }
        return cells;
    }
}
