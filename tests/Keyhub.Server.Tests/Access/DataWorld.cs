using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Keyhub.Server.Tests.Keys;

namespace Keyhub.Server.Tests.Access;

/// <summary>
/// Secrets and keys in every state a data-plane operation needs (live, deleted, purged with a backup kept,
/// names still free), made in one vault by a principal that administers it — so every allowed operation
/// can succeed and its effect can be seen, and every refused one can be shown to have left no trace.
/// </summary>
internal sealed record DataWorld(
    string Secret,
    string SecretVersion,
    string SecretToSet,
    string SecretToDelete,
    string DeletedSecret,
    string SecretToRecover,
    string SecretToPurge,
    string RestoredSecret,
    byte[] SecretBackup,
    string Key,
    string KeyVersion,
    string KeyToCreate,
    string KeyToImport,
    string KeyToDelete,
    string DeletedKey,
    string KeyToRecover,
    string KeyToPurge,
    string RestoredKey,
    string KeyBackup,
    byte[] Plaintext,
    byte[] Digest,
    byte[] Ciphertext,
    byte[] Wrapped,
    byte[] Signature)
{
    public static async Task<DataWorld> PrepareAsync(DataClient owner, string tag)
    {
        string Name(string what) => $"{tag}-{what}-{Guid.NewGuid():N}";
        var secrets = owner.Secrets;

        var secret = Name("secret");
        var version = (await secrets.SetSecretAsync(secret, "world-value")).Value.Properties.Version;
        var secretToDelete = Name("s-delete");
        await secrets.SetSecretAsync(secretToDelete, "to-delete");
        var deletedSecret = await DeletedSecretAsync(Name("s-deleted"));
        var secretToRecover = await DeletedSecretAsync(Name("s-recover"));
        var secretToPurge = await DeletedSecretAsync(Name("s-purge"));
        var restoredSecret = Name("s-restore");
        await secrets.SetSecretAsync(restoredSecret, "to-restore");
        var secretBackup = (await secrets.BackupSecretAsync(restoredSecret)).Value;
        await secrets.StartDeleteSecretAsync(restoredSecret);
        await secrets.PurgeDeletedSecretAsync(restoredSecret);

        var key = Name("key");
        var bundle = (await owner.SendAsync(HttpMethod.Post, $"/keys/{key}/create", new JsonObject { ["kty"] = "RSA", ["key_size"] = 2048 })).Ok();
        var keyVersion = RawKeysClient.Version(bundle);
        var keyToDelete = await OctKeyAsync(Name("k-delete"));
        var deletedKey = await DeletedKeyAsync(Name("k-deleted"));
        var keyToRecover = await DeletedKeyAsync(Name("k-recover"));
        var keyToPurge = await DeletedKeyAsync(Name("k-purge"));
        var restoredKey = await OctKeyAsync(Name("k-restore"));
        var keyBackup = (await owner.SendAsync(HttpMethod.Post, $"/keys/{restoredKey}/backup")).Ok().GetProperty("value").GetString()!;
        (await owner.SendAsync(HttpMethod.Delete, $"/keys/{restoredKey}")).Ok();
        Assert.Equal(HttpStatusCode.NoContent, (await owner.SendAsync(HttpMethod.Delete, $"/deletedkeys/{restoredKey}")).Status);

        var plaintext = RandomNumberGenerator.GetBytes(32);
        var digest = SHA256.HashData(plaintext);
        var ciphertext = await OperateAsync("encrypt", RawKeysClient.Body("RSA-OAEP", plaintext));
        var wrapped = await OperateAsync("wrapkey", RawKeysClient.Body("RSA-OAEP-256", plaintext));
        var signature = await OperateAsync("sign", RawKeysClient.Body("PS256", digest));

        return new DataWorld(
            secret, version, Name("s-set"), secretToDelete, deletedSecret, secretToRecover, secretToPurge, restoredSecret, secretBackup,
            key, keyVersion, Name("k-create"), Name("k-import"), keyToDelete, deletedKey, keyToRecover, keyToPurge, restoredKey, keyBackup,
            plaintext, digest, ciphertext, wrapped, signature);

        async Task<string> DeletedSecretAsync(string name)
        {
            await secrets.SetSecretAsync(name, "deleted");
            await secrets.StartDeleteSecretAsync(name);
            return name;
        }

        async Task<string> OctKeyAsync(string name)
        {
            (await owner.SendAsync(HttpMethod.Post, $"/keys/{name}/create", new JsonObject { ["kty"] = "oct", ["key_size"] = 128 })).Ok();
            return name;
        }

        async Task<string> DeletedKeyAsync(string name)
        {
            await OctKeyAsync(name);
            (await owner.SendAsync(HttpMethod.Delete, $"/keys/{name}")).Ok();
            return name;
        }

        async Task<byte[]> OperateAsync(string operation, JsonObject body) =>
            RawKeysClient.Bytes((await owner.SendAsync(HttpMethod.Post, $"/keys/{key}/{keyVersion}/{operation}", body)).Ok(), "value");
    }
}
