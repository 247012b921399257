using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyhub.Core.Authorization;
using Keyhub.Core.Errors;
using Keyhub.Core.Keys;
using Keyhub.Server.Http;

namespace Keyhub.Server.Keys;

/// <summary>The keys data plane (wire.md §4.3). Each operation maps to exactly one data action.</summary>
internal static class KeyEndpoints
{
    private static readonly (string Path, string Operation, string DataAction)[] CryptoOperations =
    [
        ("encrypt", KeyOperations.Encrypt, DataActions.KeysEncrypt),
        ("decrypt", KeyOperations.Decrypt, DataActions.KeysDecrypt),
        ("wrapkey", KeyOperations.WrapKey, DataActions.KeysWrap),
        ("unwrapkey", KeyOperations.UnwrapKey, DataActions.KeysUnwrap),
        ("sign", KeyOperations.Sign, DataActions.KeysSign),
    ];

    public static void MapKeyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/keys/{name}/create", CreateAsync);
        app.MapPut("/keys/{name}", ImportAsync);
        app.MapPost("/keys/{name}/rotate", RotateAsync);
        app.MapGet("/keys/{name}/rotationpolicy", GetPolicyAsync);
        app.MapPut("/keys/{name}/rotationpolicy", SetPolicyAsync);
        app.MapGet("/keys", ListAsync);
        app.MapGet("/keys/{name}/versions", ListVersionsAsync);
        app.MapGet("/keys/{name}/{version?}", GetAsync);
        app.MapMethods("/keys/{name}/{version?}", ["PATCH"], UpdateAsync);
        app.MapDelete("/keys/{name}", DeleteAsync);
        app.MapPost("/keys/{name}/backup", BackupAsync);
        app.MapPost("/keys/restore", RestoreAsync);
        app.MapGet("/deletedkeys", ListDeletedAsync);
        app.MapGet("/deletedkeys/{name}", GetDeletedAsync);
        app.MapDelete("/deletedkeys/{name}", PurgeAsync);
        app.MapPost("/deletedkeys/{name}/recover", RecoverAsync);
        foreach (var (path, operation, action) in CryptoOperations)
        {
            Task<IResult> Handler(HttpContext context, string name, string? version, KeyEngine engine) => OperateAsync(context, name, version, operation, action, engine);
            app.MapPost($"/keys/{{name}}/{{version}}/{path}", (Delegate)Handler);
            app.MapPost($"/keys/{{name}}/{path}", (HttpContext context, string name, KeyEngine engine) => Handler(context, name, null, engine));
        }
        app.MapPost("/keys/{name}/{version}/verify", VerifyAsync);
        app.MapPost("/keys/{name}/verify", (HttpContext context, string name, KeyEngine engine) => VerifyAsync(context, name, null, engine));
        app.MapPost("/keys/{name}/{version}/release", ReleaseAsync);
        app.MapPost("/keys/{name}/release", ReleaseAsync);
        app.MapGet("/keys/{name}/{version}/attestation", AttestationAsync);
        app.MapGet("/keys/{name}/attestation", AttestationAsync);
        app.MapPost("/rng", (Func<HttpContext, Task<IResult>>)RandomBytesAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, string name, KeyEngine engine)
    {
        var state = await Authorize(context, name, DataActions.KeysCreate);
        var body = await JsonBody.ReadObjectAsync(context);
        RefuseRelease(body);
        var properties = ReadProperties(body);
        var request = new NewKey(JsonBody.OptionalString(body, "kty") ?? throw Errors.BadParameter("The key type (kty) is required."))
        {
            KeySize = JsonBody.OptionalInt(body, "key_size"),
            PublicExponent = JsonBody.OptionalInt(body, "public_exponent"),
            Curve = JsonBody.OptionalString(body, "crv"),
            KeyOps = properties.KeyOps,
            Tags = properties.Tags,
            Enabled = properties.Enabled,
            NotBefore = properties.NotBefore,
            Expires = properties.Expires,
        };
        var key = await engine.CreateAsync(state.Vault, name, request, context.RequestAborted);
        return JsonResponse.Ok(KeyJson.Bundle(state.Origin, state.Vault, key));
    }

    private static async Task<IResult> ImportAsync(HttpContext context, string name, KeyEngine engine)
    {
        var state = await Authorize(context, name, DataActions.KeysImport);
        var body = await JsonBody.ReadObjectAsync(context);
        RefuseRelease(body);
        var jwk = JsonBody.OptionalObject(body, "key") ?? throw Errors.BadParameter("The key to import (key) is required.");
        var properties = ReadProperties(body);
        var material = ReadJwk(jwk);
        var request = new ImportedKey(material)
        {
            // The SDKs send "Hsm"; a caller asking for an HSM key in another spelling must not get a software one.
            Hsm = JsonBody.OptionalBool(body, "Hsm") == true || JsonBody.OptionalBool(body, "hsm") == true,
            KeyOps = properties.KeyOps ?? ReadKeyOps(jwk),
            Tags = properties.Tags,
            Enabled = properties.Enabled,
            NotBefore = properties.NotBefore,
            Expires = properties.Expires,
        };
        try
        {
            var key = await engine.ImportAsync(state.Vault, name, request, context.RequestAborted);
            return JsonResponse.Ok(KeyJson.Bundle(state.Origin, state.Vault, key));
        }
        finally
        {
            material.Clear();
        }
    }

    private static async Task<IResult> GetAsync(HttpContext context, string name, string? version, KeyEngine engine)
    {
        var state = await Authorize(context, name, DataActions.KeysRead);
        var key = await engine.GetAsync(state.Vault, name, version, context.RequestAborted);
        return JsonResponse.Ok(KeyJson.Bundle(state.Origin, state.Vault, key));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string name, string? version, KeyEngine engine)
    {
        var state = await Authorize(context, name, DataActions.KeysUpdate);
        var body = await JsonBody.ReadObjectAsync(context);
        RefuseRelease(body);
        var key = await engine.UpdateAsync(state.Vault, name, version, ReadProperties(body), context.RequestAborted);
        return JsonResponse.Ok(KeyJson.Bundle(state.Origin, state.Vault, key));
    }

    private static async Task<IResult> ListAsync(HttpContext context, KeyEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.KeysRead);
        var (limit, after) = Paging.Read(context);
        var page = await engine.ListAsync(state.Vault, after, limit, context.RequestAborted);
        return Endpoints.List(context, page.Items.Select(k => KeyJson.Item(state.Origin, state.Vault, k, withVersion: false)), page.ContinueAfter, limit);
    }

    private static async Task<IResult> ListVersionsAsync(HttpContext context, string name, KeyEngine engine)
    {
        var state = await Authorize(context, name, DataActions.KeysRead);
        var (limit, after) = Paging.Read(context);
        var page = await engine.ListVersionsAsync(state.Vault, name, after, limit, context.RequestAborted);
        return Endpoints.List(context, page.Items.Select(k => KeyJson.Item(state.Origin, state.Vault, k, withVersion: true)), page.ContinueAfter, limit);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string name, KeyEngine engine)
    {
        var state = await Authorize(context, name, DataActions.KeysDelete);
        var deleted = await engine.DeleteAsync(state.Vault, name, context.RequestAborted);
        return JsonResponse.Ok(KeyJson.Deleted(state.Origin, state.Vault, deleted, bundle: true));
    }

    private static async Task<IResult> BackupAsync(HttpContext context, string name, KeyEngine engine)
    {
        var state = await Authorize(context, name, DataActions.KeysBackup);
        var blob = await engine.BackupAsync(state.Vault, name, context.RequestAborted);
        return JsonResponse.Ok(new JsonObject { ["value"] = Endpoints.Base64UrlString(blob) });
    }

    private static async Task<IResult> RestoreAsync(HttpContext context, KeyEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.KeysRestore);
        var body = await JsonBody.ReadObjectAsync(context, JsonBody.RestoreMaxBytes);
        var blob = Endpoints.OptionalBytes(body, "value") ?? throw Errors.BadParameter("The backup blob 'value' is required.");
        var key = await engine.RestoreAsync(state.Vault, blob, context.RequestAborted);
        return JsonResponse.Ok(KeyJson.Bundle(state.Origin, state.Vault, key));
    }

    private static async Task<IResult> ListDeletedAsync(HttpContext context, KeyEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.KeysRead);
        var (limit, after) = Paging.Read(context);
        var page = await engine.ListDeletedAsync(state.Vault, after, limit, context.RequestAborted);
        return Endpoints.List(context, page.Items.Select(d => KeyJson.Deleted(state.Origin, state.Vault, d, bundle: false)), page.ContinueAfter, limit);
    }

    private static async Task<IResult> GetDeletedAsync(HttpContext context, string name, KeyEngine engine)
    {
        var state = await Authorize(context, name, DataActions.KeysRead);
        var deleted = await engine.GetDeletedAsync(state.Vault, name, context.RequestAborted);
        return JsonResponse.Ok(KeyJson.Deleted(state.Origin, state.Vault, deleted, bundle: true));
    }

    private static async Task<IResult> PurgeAsync(HttpContext context, string name, KeyEngine engine)
    {
        var state = await Authorize(context, name, DataActions.KeysPurge);
        await engine.PurgeAsync(state.Vault, name, context.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> RecoverAsync(HttpContext context, string name, KeyEngine engine)
    {
        var state = await Authorize(context, name, DataActions.KeysRecover);
        var key = await engine.RecoverAsync(state.Vault, name, context.RequestAborted);
        return JsonResponse.Ok(KeyJson.Bundle(state.Origin, state.Vault, key));
    }

    private static async Task<IResult> RotateAsync(HttpContext context, string name, KeyEngine engine)
    {
        var state = await Authorize(context, name, DataActions.KeysRotate);
        var key = await engine.RotateAsync(state.Vault, name, context.RequestAborted);
        return JsonResponse.Ok(KeyJson.Bundle(state.Origin, state.Vault, key));
    }

    private static async Task<IResult> GetPolicyAsync(HttpContext context, string name, KeyEngine engine)
    {
        var state = await Authorize(context, name, DataActions.KeyRotationPolicyRead);
        var policy = await engine.GetRotationPolicyAsync(state.Vault, name, context.RequestAborted);
        return JsonResponse.Ok(KeyJson.Policy(state.Origin, name, policy));
    }

    private static async Task<IResult> SetPolicyAsync(HttpContext context, string name, KeyEngine engine)
    {
        var state = await Authorize(context, name, DataActions.KeyRotationPolicyWrite);
        var body = await JsonBody.ReadObjectAsync(context);
        var actions = new List<LifetimeAction>();
        if (body.TryGetProperty("lifetimeActions", out var list) && list.ValueKind != JsonValueKind.Null)
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw Errors.BadParameter("'lifetimeActions' must be an array.");
            }
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw Errors.BadParameter("Each lifetime action must be an object.");
                }
                var trigger = JsonBody.OptionalObject(item, "trigger") ?? throw Errors.BadParameter("A lifetime action needs a 'trigger'.");
                var action = JsonBody.OptionalObject(item, "action") ?? throw Errors.BadParameter("A lifetime action needs an 'action'.");
                actions.Add(new LifetimeAction(
                    JsonBody.OptionalString(trigger, "timeAfterCreate"),
                    JsonBody.OptionalString(trigger, "timeBeforeExpiry"),
                    JsonBody.OptionalString(action, "type") ?? throw Errors.BadParameter("A lifetime action needs an action 'type'.")));
            }
        }
        var attributes = JsonBody.OptionalObject(body, "attributes");
        var policy = new RotationPolicy
        {
            LifetimeActions = actions,
            ExpiryTime = attributes is { } a ? JsonBody.OptionalString(a, "expiryTime") : null,
        };
        var stored = await engine.SetRotationPolicyAsync(state.Vault, name, policy, context.RequestAborted);
        return JsonResponse.Ok(KeyJson.Policy(state.Origin, name, stored));
    }

    private static async Task<IResult> OperateAsync(HttpContext context, string name, string? version, string operation, string dataAction, KeyEngine engine)
    {
        var state = await Authorize(context, name, dataAction);
        var body = await JsonBody.ReadObjectAsync(context);
        var input = new KeyOperationInput(RequiredAlgorithm(body), Endpoints.OptionalBytes(body, "value") ?? throw Errors.BadParameter("'value' is required."))
        {
            Iv = Endpoints.OptionalBytes(body, "iv"),
            AuthenticationTag = Endpoints.OptionalBytes(body, "tag"),
            AdditionalAuthenticatedData = Endpoints.OptionalBytes(body, "aad"),
        };
        var result = await engine.OperateAsync(state.Vault, name, version, operation, input, context.RequestAborted);
        var json = new JsonObject
        {
            ["kid"] = KeyJson.Kid(state.Origin, result.Name, result.Version),
            ["value"] = Endpoints.Base64UrlString(result.Value),
        };
        if (result.Iv is not null)
        {
            json["iv"] = Endpoints.Base64UrlString(result.Iv);
        }
        if (result.AuthenticationTag is not null)
        {
            json["tag"] = Endpoints.Base64UrlString(result.AuthenticationTag);
        }
        if (result.AdditionalAuthenticatedData is not null)
        {
            json["aad"] = Endpoints.Base64UrlString(result.AdditionalAuthenticatedData);
        }
        // Plaintext and unwrapped keys leave in the response only; do not keep them around.
        var response = JsonResponse.Ok(json);
        CryptographicOperations.ZeroMemory(result.Value);
        return response;
    }

    private static async Task<IResult> VerifyAsync(HttpContext context, string name, string? version, KeyEngine engine)
    {
        var state = await Authorize(context, name, DataActions.KeysVerify);
        var body = await JsonBody.ReadObjectAsync(context);
        var input = new KeyOperationInput(RequiredAlgorithm(body), Endpoints.OptionalBytes(body, "digest") ?? throw Errors.BadParameter("'digest' is required."))
        {
            Signature = Endpoints.OptionalBytes(body, "value") ?? throw Errors.BadParameter("The signature ('value') is required."),
        };
        var (_, _, valid) = await engine.VerifyAsync(state.Vault, name, version, input, context.RequestAborted);
        return JsonResponse.Ok(new JsonObject { ["value"] = valid });
    }

    private static async Task<IResult> ReleaseAsync(HttpContext context, string name)
    {
        await Authorize(context, name, DataActions.KeysRelease);
        throw Errors.BadParameter("Key release (secure key release with attestation) is not supported by Keyhub.");
    }

    private static async Task<IResult> AttestationAsync(HttpContext context, string name)
    {
        await Authorize(context, name, DataActions.KeysRead);
        throw Errors.BadParameter("Key attestation is not supported by Keyhub: its keys are software keys.");
    }

    private static async Task<IResult> RandomBytesAsync(HttpContext context)
    {
        await Endpoints.AuthorizeVaultAsync(context, DataActions.KeysRead);
        var body = await JsonBody.ReadObjectAsync(context);
        var count = JsonBody.OptionalInt(body, "count");
        if (count is not (>= 1 and <= 128))
        {
            throw Errors.BadParameter("'count' must be a number of bytes from 1 to 128.");
        }
        return JsonResponse.Ok(new JsonObject { ["value"] = Endpoints.Base64UrlString(RandomNumberGenerator.GetBytes(count.Value)) });
    }

    private static Task<RequestState> Authorize(HttpContext context, string name, string dataAction) =>
        Endpoints.AuthorizeObjectAsync(context, "keys", name, dataAction);

    private static KeyPropertiesUpdate ReadProperties(JsonElement body)
    {
        var attributes = JsonBody.OptionalObject(body, "attributes");
        if (attributes is { } a && JsonBody.OptionalBool(a, "exportable") == true)
        {
            throw Errors.BadParameter("Exportable keys need key release, which Keyhub does not support.");
        }
        return new KeyPropertiesUpdate
        {
            KeyOps = ReadKeyOps(body),
            Tags = JsonBody.OptionalTags(body),
            Enabled = attributes is { } a1 ? JsonBody.OptionalBool(a1, "enabled") : null,
            NotBefore = attributes is { } a2 ? JsonBody.OptionalUnixTime(a2, "nbf") : null,
            Expires = attributes is { } a3 ? JsonBody.OptionalUnixTime(a3, "exp") : null,
        };
    }

    private static List<string>? ReadKeyOps(JsonElement obj)
    {
        if (!obj.TryGetProperty("key_ops", out var ops) || ops.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (ops.ValueKind != JsonValueKind.Array || ops.EnumerateArray().Any(o => o.ValueKind != JsonValueKind.String))
        {
            throw Errors.BadParameter("'key_ops' must be an array of strings.");
        }
        return ops.EnumerateArray().Select(o => o.GetString()!).ToList();
    }

    private static KeyMaterial ReadJwk(JsonElement jwk) => new()
    {
        Kty = JsonBody.OptionalString(jwk, "kty") ?? throw Errors.BadParameter("The JWK's kty is required."),
        Crv = JsonBody.OptionalString(jwk, "crv"),
        N = Endpoints.OptionalBytes(jwk, "n"),
        E = Endpoints.OptionalBytes(jwk, "e"),
        D = Endpoints.OptionalBytes(jwk, "d"),
        P = Endpoints.OptionalBytes(jwk, "p"),
        Q = Endpoints.OptionalBytes(jwk, "q"),
        DP = Endpoints.OptionalBytes(jwk, "dp"),
        DQ = Endpoints.OptionalBytes(jwk, "dq"),
        QI = Endpoints.OptionalBytes(jwk, "qi"),
        X = Endpoints.OptionalBytes(jwk, "x"),
        Y = Endpoints.OptionalBytes(jwk, "y"),
        K = Endpoints.OptionalBytes(jwk, "k"),
    };

    private static void RefuseRelease(JsonElement body)
    {
        if (body.TryGetProperty("release_policy", out var policy) && policy.ValueKind != JsonValueKind.Null)
        {
            throw Errors.BadParameter("Release policies (secure key release) are not supported by Keyhub.");
        }
    }

    private static string RequiredAlgorithm(JsonElement body) =>
        JsonBody.OptionalString(body, "alg") ?? throw Errors.BadParameter("The algorithm ('alg') is required.");
}
