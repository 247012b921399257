using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Security.KeyVault.Secrets;
using Keyhub.Server.Tests.Keys;
using static Keyhub.Server.Tests.Keys.RawKeysClient;

namespace Keyhub.Server.Tests.Access;

/// <summary>
/// Every secrets and keys data-plane operation (wire.md §4.2/§4.3), run by a caller against a
/// <see cref="DataWorld"/>: secrets through the official SecretClient, keys as raw HTTPS. For operations that
/// change something, the world's owner can check afterwards whether the change happened.
/// </summary>
internal static class DataOperations
{
    public static readonly IReadOnlyList<string> Secrets =
    [
        "secret get", "secret list", "secret list versions", "secret set", "secret update", "secret delete",
        "secret get deleted", "secret list deleted", "secret recover", "secret backup", "secret restore", "secret purge",
    ];

    public static readonly IReadOnlyList<string> Keys =
    [
        "key get", "key list", "key list versions", "key get deleted", "key list deleted", "key rng",
        "key create", "key import", "key update", "key delete", "key recover", "key backup", "key restore", "key purge",
        "key rotate", "key get rotation policy", "key set rotation policy",
        "key encrypt", "key decrypt", "key wrap", "key unwrap", "key sign", "key verify",
    ];

    public static IReadOnlyList<string> All { get; } = [.. Secrets, .. Keys];

    public static Task<KeyResponse> RunAsync(DataClient caller, DataWorld w, string operation)
    {
        var s = caller.Secrets;
        return operation switch
        {
            "secret get" => DataClient.CallAsync(async () => (await s.GetSecretAsync(w.Secret)).GetRawResponse()),
            "secret list" => DataClient.CallAsync(() => DataClient.FirstPageAsync(s.GetPropertiesOfSecretsAsync())),
            "secret list versions" => DataClient.CallAsync(() => DataClient.FirstPageAsync(s.GetPropertiesOfSecretVersionsAsync(w.Secret))),
            "secret set" => DataClient.CallAsync(async () => (await s.SetSecretAsync(w.SecretToSet, "set-by-caller")).GetRawResponse()),
            "secret update" => DataClient.CallAsync(async () => (await s.UpdateSecretPropertiesAsync(
                new SecretProperties(new Uri(caller.Vault, $"/secrets/{w.Secret}/{w.SecretVersion}")) { ContentType = "text/updated" })).GetRawResponse()),
            "secret delete" => DataClient.CallAsync(async () => (await s.StartDeleteSecretAsync(w.SecretToDelete)).GetRawResponse()),
            "secret get deleted" => DataClient.CallAsync(async () => (await s.GetDeletedSecretAsync(w.DeletedSecret)).GetRawResponse()),
            "secret list deleted" => DataClient.CallAsync(() => DataClient.FirstPageAsync(s.GetDeletedSecretsAsync())),
            "secret recover" => DataClient.CallAsync(async () => (await s.StartRecoverDeletedSecretAsync(w.SecretToRecover)).GetRawResponse()),
            "secret backup" => DataClient.CallAsync(async () => (await s.BackupSecretAsync(w.Secret)).GetRawResponse()),
            "secret restore" => DataClient.CallAsync(async () => (await s.RestoreSecretBackupAsync(w.SecretBackup)).GetRawResponse()),
            "secret purge" => DataClient.CallAsync(() => s.PurgeDeletedSecretAsync(w.SecretToPurge)),

            "key get" => caller.SendAsync(HttpMethod.Get, $"/keys/{w.Key}"),
            "key list" => caller.SendAsync(HttpMethod.Get, "/keys?maxresults=1"),
            "key list versions" => caller.SendAsync(HttpMethod.Get, $"/keys/{w.Key}/versions"),
            "key get deleted" => caller.SendAsync(HttpMethod.Get, $"/deletedkeys/{w.DeletedKey}"),
            "key list deleted" => caller.SendAsync(HttpMethod.Get, "/deletedkeys?maxresults=1"),
            "key rng" => caller.SendAsync(HttpMethod.Post, "/rng", new JsonObject { ["count"] = 8 }),
            "key create" => caller.SendAsync(HttpMethod.Post, $"/keys/{w.KeyToCreate}/create", new JsonObject { ["kty"] = "oct", ["key_size"] = 128 }),
            "key import" => caller.SendAsync(HttpMethod.Put, $"/keys/{w.KeyToImport}", new JsonObject { ["key"] = TestJwk.Oct(RandomNumberGenerator.GetBytes(16)) }),
            "key update" => caller.SendAsync(HttpMethod.Patch, $"/keys/{w.Key}/{w.KeyVersion}", new JsonObject { ["tags"] = new JsonObject { ["touched"] = "yes" } }),
            "key delete" => caller.SendAsync(HttpMethod.Delete, $"/keys/{w.KeyToDelete}"),
            "key recover" => caller.SendAsync(HttpMethod.Post, $"/deletedkeys/{w.KeyToRecover}/recover"),
            "key backup" => caller.SendAsync(HttpMethod.Post, $"/keys/{w.Key}/backup"),
            "key restore" => caller.SendAsync(HttpMethod.Post, "/keys/restore", new JsonObject { ["value"] = w.KeyBackup }),
            "key purge" => caller.SendAsync(HttpMethod.Delete, $"/deletedkeys/{w.KeyToPurge}"),
            "key rotate" => caller.SendAsync(HttpMethod.Post, $"/keys/{w.Key}/rotate"),
            "key get rotation policy" => caller.SendAsync(HttpMethod.Get, $"/keys/{w.Key}/rotationpolicy"),
            "key set rotation policy" => caller.SendAsync(HttpMethod.Put, $"/keys/{w.Key}/rotationpolicy", new JsonObject
            {
                ["lifetimeActions"] = new JsonArray(new JsonObject
                {
                    ["trigger"] = new JsonObject { ["timeAfterCreate"] = "P30D" },
                    ["action"] = new JsonObject { ["type"] = "Rotate" },
                }),
                ["attributes"] = new JsonObject { ["expiryTime"] = "P90D" },
            }),
            "key encrypt" => KeyOperationAsync(caller, w, "encrypt", Body("RSA-OAEP-256", w.Plaintext)),
            "key decrypt" => KeyOperationAsync(caller, w, "decrypt", Body("RSA-OAEP", w.Ciphertext)),
            "key wrap" => KeyOperationAsync(caller, w, "wrapkey", Body("RSA-OAEP", w.Plaintext)),
            "key unwrap" => KeyOperationAsync(caller, w, "unwrapkey", Body("RSA-OAEP-256", w.Wrapped)),
            "key sign" => KeyOperationAsync(caller, w, "sign", Body("RS256", w.Digest)),
            "key verify" => KeyOperationAsync(caller, w, "verify", VerifyBody("PS256", w.Digest, w.Signature)),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
        };
    }

    /// <summary>
    /// Whether the lasting change of <paramref name="operation"/> is visible to the world's owner; null for
    /// operations that change nothing.
    /// </summary>
    public static async Task<bool?> EffectAsync(DataClient owner, DataWorld w, string operation)
    {
        async Task<bool> ExistsAsync(string path)
        {
            var response = await owner.SendAsync(HttpMethod.Get, path);
            Assert.True(response.Status is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{path}: {(int)response.Status} {response.Body}");
            return response.Status == HttpStatusCode.OK;
        }

        return operation switch
        {
            "secret set" => await ExistsAsync($"/secrets/{w.SecretToSet}"),
            "secret update" => (await owner.SendAsync(HttpMethod.Get, $"/secrets/{w.Secret}/{w.SecretVersion}")).Ok()
                .TryGetProperty("contentType", out var type) && type.GetString() == "text/updated",
            "secret delete" => !await ExistsAsync($"/secrets/{w.SecretToDelete}"),
            "secret recover" => await ExistsAsync($"/secrets/{w.SecretToRecover}"),
            "secret restore" => await ExistsAsync($"/secrets/{w.RestoredSecret}"),
            "secret purge" => !await ExistsAsync($"/deletedsecrets/{w.SecretToPurge}"),
            "key create" => await ExistsAsync($"/keys/{w.KeyToCreate}"),
            "key import" => await ExistsAsync($"/keys/{w.KeyToImport}"),
            "key update" => (await owner.SendAsync(HttpMethod.Get, $"/keys/{w.Key}/{w.KeyVersion}")).Ok()
                .TryGetProperty("tags", out var tags) && tags.TryGetProperty("touched", out _),
            "key delete" => !await ExistsAsync($"/keys/{w.KeyToDelete}"),
            "key recover" => await ExistsAsync($"/keys/{w.KeyToRecover}"),
            "key restore" => await ExistsAsync($"/keys/{w.RestoredKey}"),
            "key purge" => !await ExistsAsync($"/deletedkeys/{w.KeyToPurge}"),
            "key rotate" => (await owner.SendAsync(HttpMethod.Get, $"/keys/{w.Key}/versions")).Ok().GetProperty("value").GetArrayLength() > 1,
            "key set rotation policy" => (await owner.SendAsync(HttpMethod.Get, $"/keys/{w.Key}/rotationpolicy")).Ok()
                .GetProperty("lifetimeActions").EnumerateArray()
                .Any(a => a.GetProperty("trigger").TryGetProperty("timeAfterCreate", out var after) && after.GetString() == "P30D"),
            _ => null,
        };
    }

    /// <summary>Runs an operation that must succeed and take effect; returns what went wrong, or null.</summary>
    public static async Task<string?> CheckAllowedAsync(DataClient caller, DataClient owner, DataWorld w, string operation)
    {
        var response = await RunAsync(caller, w, operation);
        var expected = operation.EndsWith(" purge", StringComparison.Ordinal) ? HttpStatusCode.NoContent : HttpStatusCode.OK;
        if (response.Status != expected)
        {
            return $"{operation}: expected {(int)expected}, got {(int)response.Status} {response.Body}";
        }
        return await EffectAsync(owner, w, operation) is false ? $"{operation}: answered {(int)expected} but changed nothing" : null;
    }

    /// <summary>
    /// Runs an operation that must be refused with 403 and Azure's error body (<c>error.code</c> <c>Forbidden</c>,
    /// a message, <c>innererror.code</c> <c>ForbiddenByRbac</c>) and leave no trace; returns what went wrong, or null.
    /// </summary>
    public static async Task<string?> CheckForbiddenAsync(DataClient caller, DataClient owner, DataWorld w, string operation)
    {
        var response = await RunAsync(caller, w, operation);
        if (response.Status != HttpStatusCode.Forbidden)
        {
            return $"{operation}: expected 403, got {(int)response.Status} {response.Body}";
        }
        if (response.MediaType != "application/json" || !IsForbiddenBody(response.Body))
        {
            return $"{operation}: 403 without Azure's Forbidden/ForbiddenByRbac error body ({response.MediaType}): {response.Body}";
        }
        return await EffectAsync(owner, w, operation) is true ? $"{operation}: refused with 403 but took effect" : null;
    }

    private static Task<KeyResponse> KeyOperationAsync(DataClient caller, DataWorld w, string operation, JsonObject body) =>
        caller.SendAsync(HttpMethod.Post, $"/keys/{w.Key}/{w.KeyVersion}/{operation}", body);

    private static bool IsForbiddenBody(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var error = document.RootElement.GetProperty("error");
            return error.GetProperty("code").GetString() == "Forbidden"
                && !string.IsNullOrWhiteSpace(error.GetProperty("message").GetString())
                && error.GetProperty("innererror").GetProperty("code").GetString() == "ForbiddenByRbac";
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }
}
