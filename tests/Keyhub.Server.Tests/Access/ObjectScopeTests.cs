using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Azure;
using Keyhub.Server.Tests.Keys;

namespace Keyhub.Server.Tests.Access;

/// <summary>
/// Assignments at an object scope (<c>/vaults/{v}/{secrets|keys}/{name}</c>) grant that object only: not its
/// siblings, not objects whose names merely start the same way, and not the vault-wide operations (list).
/// </summary>
[Collection(DataAccessCollection.Name)]
public sealed class ObjectScopeTests(AccessServer fixture)
{
    [Fact]
    public async Task Secrets_user_on_one_secret_reads_that_secret_and_no_other()
    {
        var admin = await fixture.HubAdminAsync();
        var granted = $"scoped-{Guid.NewGuid():N}";
        var version = (await admin.Secrets.SetSecretAsync(granted, "granted-value")).Value.Properties.Version;
        var other = $"scoped-other-{Guid.NewGuid():N}";
        await admin.Secrets.SetSecretAsync(other, "other-value");
        var sameStart = granted + "-2";
        await admin.Secrets.SetSecretAsync(sameStart, "same-start-value");
        var principal = await fixture.CreatePrincipalAsync("scoped-secret");
        await fixture.AssignAsync(principal.ObjectId, "Key Vault Secrets User", $"/vaults/hub/secrets/{granted}");
        var client = fixture.Server.SecretClient(principal.ClientId, principal.ClientSecret);

        Assert.Equal("granted-value", (await client.GetSecretAsync(granted)).Value.Value);
        Assert.Equal("granted-value", (await client.GetSecretAsync(granted, version)).Value.Value);
        // Listing the versions of the granted secret is an operation on that secret (readMetadata at its scope).
        await DataClient.FirstPageAsync(client.GetPropertiesOfSecretVersionsAsync(granted));

        await ForbiddenAsync(() => client.GetSecretAsync(other));
        await ForbiddenAsync(() => client.GetSecretAsync(sameStart));
        await ForbiddenAsync(() => client.GetSecretAsync($"missing-{Guid.NewGuid():N}"));
        await ForbiddenAsync(() => DataClient.FirstPageAsync(client.GetPropertiesOfSecretsAsync()));
        await ForbiddenAsync(() => DataClient.FirstPageAsync(client.GetDeletedSecretsAsync()));
        await ForbiddenAsync(() => DataClient.FirstPageAsync(client.GetPropertiesOfSecretVersionsAsync(other)));
        // Secrets User reads; it does not write, even the one secret it may read.
        await ForbiddenAsync(() => client.SetSecretAsync(granted, "overwritten"));
        await ForbiddenAsync(() => client.StartDeleteSecretAsync(granted));
        Assert.Equal("granted-value", (await admin.Secrets.GetSecretAsync(granted)).Value.Value);
    }

    [Fact]
    public async Task An_object_scope_matches_names_as_lookups_do_ignoring_case()
    {
        var admin = await fixture.HubAdminAsync();
        var name = $"Scoped-Case-{Guid.NewGuid():N}";
        await admin.Secrets.SetSecretAsync(name, "case-value");
        var principal = await fixture.CreatePrincipalAsync("scoped-case");
        await fixture.AssignAsync(principal.ObjectId, "Key Vault Secrets User", $"/vaults/HUB/secrets/{name.ToUpperInvariant()}");
        var client = fixture.Server.SecretClient(principal.ClientId, principal.ClientSecret);

        Assert.Equal("case-value", (await client.GetSecretAsync(name.ToLowerInvariant())).Value.Value);
        Assert.Equal("case-value", (await client.GetSecretAsync(name)).Value.Value);
    }

    [Fact]
    public async Task Crypto_user_on_one_key_uses_that_key_and_no_other()
    {
        var admin = await fixture.HubAdminAsync();
        var granted = $"scoped-key-{Guid.NewGuid():N}";
        var bundle = (await admin.SendAsync(HttpMethod.Post, $"/keys/{granted}/create", new JsonObject { ["kty"] = "RSA", ["key_size"] = 2048 })).Ok();
        var other = $"scoped-key-other-{Guid.NewGuid():N}";
        var otherBundle = (await admin.SendAsync(HttpMethod.Post, $"/keys/{other}/create", new JsonObject { ["kty"] = "RSA", ["key_size"] = 2048 })).Ok();
        var principal = await fixture.CreatePrincipalAsync("scoped-key");
        await fixture.AssignAsync(principal.ObjectId, "Key Vault Crypto User", $"/vaults/hub/keys/{granted}");
        using var client = await fixture.DataAsync(fixture.Server.VaultUri, principal);
        var plaintext = RandomNumberGenerator.GetBytes(32);

        var wrapped = RawKeysClient.Bytes((await client.SendAsync(HttpMethod.Post, $"/keys/{granted}/{RawKeysClient.Version(bundle)}/wrapkey",
            RawKeysClient.Body("RSA-OAEP-256", plaintext))).Ok(), "value");
        var unwrapped = RawKeysClient.Bytes((await client.SendAsync(HttpMethod.Post, $"/keys/{granted}/{RawKeysClient.Version(bundle)}/unwrapkey",
            RawKeysClient.Body("RSA-OAEP-256", wrapped))).Ok(), "value");
        Assert.Equal(plaintext, unwrapped);
        (await client.SendAsync(HttpMethod.Get, $"/keys/{granted}")).Ok();

        (await client.SendAsync(HttpMethod.Post, $"/keys/{other}/{RawKeysClient.Version(otherBundle)}/wrapkey", RawKeysClient.Body("RSA-OAEP-256", plaintext)))
            .Error(HttpStatusCode.Forbidden, "Forbidden", "ForbiddenByRbac");
        (await client.SendAsync(HttpMethod.Get, $"/keys/{other}")).Error(HttpStatusCode.Forbidden, "Forbidden", "ForbiddenByRbac");
        (await client.SendAsync(HttpMethod.Get, "/keys")).Error(HttpStatusCode.Forbidden, "Forbidden", "ForbiddenByRbac");
        (await client.SendAsync(HttpMethod.Post, "/rng", new JsonObject { ["count"] = 8 })).Error(HttpStatusCode.Forbidden, "Forbidden", "ForbiddenByRbac");
        (await client.SendAsync(HttpMethod.Post, $"/keys/{granted}/rotate")).Error(HttpStatusCode.Forbidden, "Forbidden", "ForbiddenByRbac");
    }

    private static async Task ForbiddenAsync(Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(call);
        Assert.Equal(403, error.Status);
        Assert.Equal("Forbidden", error.ErrorCode);
    }
}
