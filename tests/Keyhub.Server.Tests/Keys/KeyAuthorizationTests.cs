using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Keyhub.Core.Authorization;
using static Keyhub.Server.Tests.Keys.RawKeysClient;

namespace Keyhub.Server.Tests.Keys;

/// <summary>
/// The built-in crypto roles of wire.md §5.1 on every key operation: a role grants exactly its data
/// actions (403 <c>Forbidden</c> / <c>ForbiddenByRbac</c> for the rest), and a refused request changes nothing.
/// </summary>
[Collection(KeysServerCollection.Name)]
public sealed class KeyAuthorizationTests(KeysServer fixture)
{
    private static readonly string[] ReadOperations = ["get", "get version", "list", "list versions", "list deleted", "get deleted", "rng"];

    private static readonly string[] AllOperations =
    [
        .. ReadOperations,
        "create", "import", "update", "rotate", "get rotation policy", "set rotation policy", "backup", "restore",
        "delete", "recover", "purge", "encrypt", "decrypt", "wrapKey", "unwrapKey", "sign", "verify", "release",
    ];

    private static readonly Dictionary<string, (RoleDefinition Role, string[] Allowed)> Roles = new(StringComparer.Ordinal)
    {
        ["Crypto Officer"] = (BuiltInRoles.CryptoOfficer, AllOperations),
        ["Crypto User"] = (BuiltInRoles.CryptoUser,
            [.. ReadOperations, "update", "backup", "encrypt", "decrypt", "wrapKey", "unwrapKey", "sign", "verify"]),
        ["Crypto Service Encryption User"] = (BuiltInRoles.CryptoServiceEncryptionUser, [.. ReadOperations, "wrapKey", "unwrapKey"]),
        ["Secrets User"] = (BuiltInRoles.SecretsUser, []),
        ["no role"] = (null!, []),
    };

    private RawKeysClient Admin => fixture.Admin;

    [Theory]
    [InlineData("Crypto Officer")]
    [InlineData("Crypto User")]
    [InlineData("Crypto Service Encryption User")]
    [InlineData("Secrets User")]
    [InlineData("no role")]
    public async Task A_role_grants_exactly_its_key_data_actions(string roleName)
    {
        var (role, allowed) = Roles[roleName];
        var tag = roleName.Replace(' ', '-').ToLowerInvariant();
        var world = await PrepareAsync(tag);
        var (clientId, secret, _) = await fixture.Server.AddPrincipalAsync($"keys-authz-{Guid.NewGuid():N}", role);
        using var caller = await ConnectAsync(fixture.Server, clientId, secret);
        var targetBefore = await Admin.SnapshotAsync(world.Target);

        var unexpected = new List<string>();
        foreach (var operation in AllOperations)
        {
            var response = await Request(caller, world, operation);
            if (allowed.Contains(operation))
            {
                var expected = operation switch { "purge" => HttpStatusCode.NoContent, "release" => HttpStatusCode.BadRequest, _ => HttpStatusCode.OK };
                if (response.Status != expected)
                {
                    unexpected.Add($"{operation}: expected {(int)expected}, got {(int)response.Status} {response.Body}");
                }
            }
            else if (response.Status != HttpStatusCode.Forbidden)
            {
                unexpected.Add($"{operation}: expected 403, got {(int)response.Status} {response.Body}");
            }
            else
            {
                response.Error(HttpStatusCode.Forbidden, "Forbidden", "ForbiddenByRbac");
            }
        }
        Assert.True(unexpected.Count == 0, $"{roleName}:\n" + string.Join("\n", unexpected));

        // What was refused left no trace; what was allowed took effect.
        var writes = allowed.Contains("update") || allowed.Contains("rotate");
        if (!writes)
        {
            Assert.Equal(targetBefore, await Admin.SnapshotAsync(world.Target));
        }
        Assert.Equal(allowed.Contains("create") ? HttpStatusCode.OK : HttpStatusCode.NotFound, (await Admin.GetAsync(world.Created)).Status);
        Assert.Equal(allowed.Contains("import") ? HttpStatusCode.OK : HttpStatusCode.NotFound, (await Admin.GetAsync(world.Imported)).Status);
        Assert.Equal(allowed.Contains("delete") ? HttpStatusCode.NotFound : HttpStatusCode.OK, (await Admin.GetAsync(world.ToDelete)).Status);
        Assert.Equal(allowed.Contains("recover") ? HttpStatusCode.OK : HttpStatusCode.NotFound, (await Admin.GetAsync(world.ToRecover)).Status);
        Assert.Equal(allowed.Contains("purge") ? HttpStatusCode.NotFound : HttpStatusCode.OK, (await Admin.SendAsync(HttpMethod.Get, $"/deletedkeys/{world.ToPurge}")).Status);
        Assert.Equal(allowed.Contains("restore") ? HttpStatusCode.OK : HttpStatusCode.NotFound, (await Admin.GetAsync(world.Restored)).Status);
        Assert.Equal(allowed.Contains("rotate") ? 2 : 1, (await Admin.VersionsAsync(world.Target)).Count);
        var policy = (await Admin.SendAsync(HttpMethod.Get, $"/keys/{world.Target}/rotationpolicy")).Ok();
        Assert.Equal(allowed.Contains("set rotation policy") ? "P30D" : null, policy.GetProperty("lifetimeActions").EnumerateArray()
            .Select(a => a.GetProperty("trigger").TryGetProperty("timeAfterCreate", out var t) ? t.GetString() : null).FirstOrDefault(t => t is not null));
    }

    /// <summary>Keys in every state an operation needs, made by the administrator.</summary>
    private async Task<World> PrepareAsync(string tag)
    {
        var target = UniqueName($"authz-{tag}-target");
        var bundle = await Admin.CreateOkAsync(target, "RSA", 2048);
        var toDelete = UniqueName($"authz-{tag}-delete");
        await Admin.CreateOkAsync(toDelete, "oct", 128);
        var deleted = UniqueName($"authz-{tag}-deleted");
        await Admin.CreateOkAsync(deleted, "oct", 128);
        (await Admin.SendAsync(HttpMethod.Delete, $"/keys/{deleted}")).Ok();
        var toRecover = UniqueName($"authz-{tag}-recover");
        await Admin.CreateOkAsync(toRecover, "oct", 128);
        (await Admin.SendAsync(HttpMethod.Delete, $"/keys/{toRecover}")).Ok();
        var toPurge = UniqueName($"authz-{tag}-purge");
        await Admin.CreateOkAsync(toPurge, "oct", 128);
        (await Admin.SendAsync(HttpMethod.Delete, $"/keys/{toPurge}")).Ok();
        var restored = UniqueName($"authz-{tag}-restore");
        await Admin.CreateOkAsync(restored, "oct", 128);
        var backup = (await Admin.SendAsync(HttpMethod.Post, $"/keys/{restored}/backup")).Ok().GetProperty("value").GetString()!;
        (await Admin.SendAsync(HttpMethod.Delete, $"/keys/{restored}")).Ok();
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.SendAsync(HttpMethod.Delete, $"/deletedkeys/{restored}")).Status);

        var plaintext = RandomNumberGenerator.GetBytes(32);
        var digest = SHA256.HashData(plaintext);
        var version = Version(bundle);
        var ciphertext = (await Admin.OperateOkAsync(target, version, "encrypt", Body("RSA-OAEP", plaintext))).Value;
        var wrapped = (await Admin.OperateOkAsync(target, version, "wrapKey", Body("RSA-OAEP-256", plaintext))).Value;
        var signature = (await Admin.OperateOkAsync(target, version, "sign", Body("PS256", digest))).Value;
        return new World(target, version, UniqueName($"authz-{tag}-created"), UniqueName($"authz-{tag}-imported"), toDelete, deleted, toRecover, toPurge,
            restored, backup, plaintext, digest, ciphertext, wrapped, signature);
    }

    private static Task<KeyResponse> Request(RawKeysClient caller, World w, string operation) => operation switch
    {
        "get" => caller.GetAsync(w.Target),
        "get version" => caller.GetAsync(w.Target, w.Version),
        "list" => caller.SendAsync(HttpMethod.Get, "/keys?maxresults=1"),
        "list versions" => caller.SendAsync(HttpMethod.Get, $"/keys/{w.Target}/versions"),
        "list deleted" => caller.SendAsync(HttpMethod.Get, "/deletedkeys?maxresults=1"),
        "get deleted" => caller.SendAsync(HttpMethod.Get, $"/deletedkeys/{w.Deleted}"),
        "rng" => caller.SendAsync(HttpMethod.Post, "/rng", new JsonObject { ["count"] = 8 }),
        "create" => caller.CreateAsync(w.Created, new JsonObject { ["kty"] = "oct", ["key_size"] = 128 }),
        "import" => caller.SendAsync(HttpMethod.Put, $"/keys/{w.Imported}", new JsonObject { ["key"] = TestJwk.Oct(RandomNumberGenerator.GetBytes(16)) }),
        "update" => caller.UpdateAsync(w.Target, w.Version, new JsonObject { ["tags"] = new JsonObject { ["touched"] = "yes" } }),
        "rotate" => caller.SendAsync(HttpMethod.Post, $"/keys/{w.Target}/rotate"),
        "get rotation policy" => caller.SendAsync(HttpMethod.Get, $"/keys/{w.Target}/rotationpolicy"),
        "set rotation policy" => caller.SendAsync(HttpMethod.Put, $"/keys/{w.Target}/rotationpolicy", new JsonObject
        {
            ["lifetimeActions"] = new JsonArray(new JsonObject
            {
                ["trigger"] = new JsonObject { ["timeAfterCreate"] = "P30D" },
                ["action"] = new JsonObject { ["type"] = "Rotate" },
            }),
            ["attributes"] = new JsonObject { ["expiryTime"] = "P90D" },
        }),
        "backup" => caller.SendAsync(HttpMethod.Post, $"/keys/{w.Target}/backup"),
        "restore" => caller.SendAsync(HttpMethod.Post, "/keys/restore", new JsonObject { ["value"] = w.Backup }),
        "delete" => caller.SendAsync(HttpMethod.Delete, $"/keys/{w.ToDelete}"),
        "recover" => caller.SendAsync(HttpMethod.Post, $"/deletedkeys/{w.ToRecover}/recover"),
        "purge" => caller.SendAsync(HttpMethod.Delete, $"/deletedkeys/{w.ToPurge}"),
        "encrypt" => caller.OperateAsync(w.Target, w.Version, "encrypt", Body("RSA-OAEP-256", w.Plaintext)),
        "decrypt" => caller.OperateAsync(w.Target, w.Version, "decrypt", Body("RSA-OAEP", w.Ciphertext)),
        "wrapKey" => caller.OperateAsync(w.Target, w.Version, "wrapKey", Body("RSA-OAEP", w.Plaintext)),
        "unwrapKey" => caller.OperateAsync(w.Target, w.Version, "unwrapKey", Body("RSA-OAEP-256", w.Wrapped)),
        "sign" => caller.OperateAsync(w.Target, w.Version, "sign", Body("RS256", w.Digest)),
        "verify" => caller.OperateAsync(w.Target, w.Version, "verify", VerifyBody("PS256", w.Digest, w.Signature)),
        "release" => caller.SendAsync(HttpMethod.Post, $"/keys/{w.Target}/{w.Version}/release", new JsonObject { ["target"] = "token" }),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
    };

    private sealed record World(
        string Target, string Version, string Created, string Imported, string ToDelete, string Deleted, string ToRecover, string ToPurge,
        string Restored, string Backup, byte[] Plaintext, byte[] Digest, byte[] Ciphertext, byte[] Wrapped, byte[] Signature);
}
