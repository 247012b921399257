using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyhub.Core.Authorization;
using Keyhub.Core.Errors;
using Keyhub.Core.Secrets;
using Keyhub.Core.Vaults;
using Keyhub.Server.Http;

namespace Keyhub.Server.Secrets;

/// <summary>The secrets data plane (wire.md §4.2). Each operation maps to exactly one data action.</summary>
internal static class SecretEndpoints
{
    public static void MapSecretEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPut("/secrets/{name}", SetAsync);
        app.MapGet("/secrets", ListAsync);
        app.MapGet("/secrets/{name}/versions", ListVersionsAsync);
        app.MapGet("/secrets/{name}/{version?}", GetAsync);
        app.MapMethods("/secrets/{name}/{version?}", ["PATCH"], UpdateAsync);
        app.MapDelete("/secrets/{name}", DeleteAsync);
        app.MapPost("/secrets/{name}/backup", BackupAsync);
        app.MapPost("/secrets/restore", RestoreAsync);
        app.MapGet("/deletedsecrets", ListDeletedAsync);
        app.MapGet("/deletedsecrets/{name}", GetDeletedAsync);
        app.MapDelete("/deletedsecrets/{name}", PurgeAsync);
        app.MapPost("/deletedsecrets/{name}/recover", RecoverAsync);
    }

    private static async Task<IResult> SetAsync(HttpContext context, string name, SecretEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.SecretsSet);
        var body = await JsonBody.ReadObjectAsync(context);
        var value = JsonBody.OptionalString(body, "value") ?? throw Errors.BadParameter("The secret value is required.");
        var properties = ReadProperties(body);
        var secret = new NewSecret(value)
        {
            ContentType = properties.ContentType,
            Tags = properties.Tags,
            Enabled = properties.Enabled,
            NotBefore = properties.NotBefore,
            Expires = properties.Expires,
        };
        var created = await engine.SetAsync(state.Vault, name, secret, context.RequestAborted);
        return Json(SecretJson.Bundle(state.Origin, state.Vault, created));
    }

    private static async Task<IResult> GetAsync(HttpContext context, string name, string? version, SecretEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.SecretsGet);
        var secret = await engine.GetAsync(state.Vault, name, version, context.RequestAborted);
        return Json(SecretJson.Bundle(state.Origin, state.Vault, secret));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string name, string? version, SecretEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.SecretsUpdate);
        var body = await JsonBody.ReadObjectAsync(context);
        if (body.TryGetProperty("value", out _))
        {
            throw Errors.BadParameter("A secret's value cannot be changed; set a new version instead.");
        }
        var update = ReadProperties(body);
        var updated = await engine.UpdateAsync(state.Vault, name, version, update, context.RequestAborted);
        return Json(SecretJson.Bundle(state.Origin, state.Vault, updated));
    }

    private static async Task<IResult> ListAsync(HttpContext context, SecretEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.SecretsReadMetadata);
        var (limit, after) = Paging.Read(context);
        var page = await engine.ListAsync(state.Vault, after, limit, context.RequestAborted);
        return ListResult(context, page.Items.Select(s => SecretJson.Item(state.Origin, state.Vault, s, withVersion: false)), page.ContinueAfter, limit);
    }

    private static async Task<IResult> ListVersionsAsync(HttpContext context, string name, SecretEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.SecretsReadMetadata);
        var (limit, after) = Paging.Read(context);
        var page = await engine.ListVersionsAsync(state.Vault, name, after, limit, context.RequestAborted);
        return ListResult(context, page.Items.Select(s => SecretJson.Item(state.Origin, state.Vault, s, withVersion: true)), page.ContinueAfter, limit);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string name, SecretEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.SecretsDelete);
        var deleted = await engine.DeleteAsync(state.Vault, name, context.RequestAborted);
        return Json(SecretJson.Deleted(state.Origin, state.Vault, deleted, bundle: true));
    }

    private static async Task<IResult> BackupAsync(HttpContext context, string name, SecretEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.SecretsBackup);
        var blob = await engine.BackupAsync(state.Vault, name, context.RequestAborted);
        return Json(new JsonObject { ["value"] = Base64Url.EncodeToString(blob) });
    }

    private static async Task<IResult> RestoreAsync(HttpContext context, SecretEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.SecretsRestore);
        var body = await JsonBody.ReadObjectAsync(context, JsonBody.RestoreMaxBytes);
        var value = JsonBody.OptionalString(body, "value") ?? throw Errors.BadParameter("The backup blob 'value' is required.");
        byte[] blob;
        try
        {
            blob = Base64Url.DecodeFromChars(value);
        }
        catch (FormatException)
        {
            throw Errors.BadParameter("The backup blob is not base64url.");
        }
        var restored = await engine.RestoreAsync(state.Vault, blob, context.RequestAborted);
        return Json(SecretJson.Bundle(state.Origin, state.Vault, restored));
    }

    private static async Task<IResult> ListDeletedAsync(HttpContext context, SecretEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.SecretsReadMetadata);
        var (limit, after) = Paging.Read(context);
        var page = await engine.ListDeletedAsync(state.Vault, after, limit, context.RequestAborted);
        return ListResult(context, page.Items.Select(d => SecretJson.Deleted(state.Origin, state.Vault, d, bundle: false)), page.ContinueAfter, limit);
    }

    private static async Task<IResult> GetDeletedAsync(HttpContext context, string name, SecretEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.SecretsReadMetadata);
        var deleted = await engine.GetDeletedAsync(state.Vault, name, context.RequestAborted);
        return Json(SecretJson.Deleted(state.Origin, state.Vault, deleted, bundle: true));
    }

    private static async Task<IResult> PurgeAsync(HttpContext context, string name, SecretEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.SecretsPurge);
        await engine.PurgeAsync(state.Vault, name, context.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> RecoverAsync(HttpContext context, string name, SecretEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.SecretsRecover);
        var recovered = await engine.RecoverAsync(state.Vault, name, context.RequestAborted);
        return Json(SecretJson.Bundle(state.Origin, state.Vault, recovered));
    }

    /// <summary>The properties shared by set and update: contentType, tags and attributes {enabled, nbf, exp}.</summary>
    private static SecretPropertiesUpdate ReadProperties(JsonElement body)
    {
        var attributes = JsonBody.OptionalObject(body, "attributes");
        return new SecretPropertiesUpdate
        {
            ContentType = JsonBody.OptionalString(body, "contentType"),
            Tags = JsonBody.OptionalTags(body),
            Enabled = attributes is { } a1 ? JsonBody.OptionalBool(a1, "enabled") : null,
            NotBefore = attributes is { } a2 ? JsonBody.OptionalUnixTime(a2, "nbf") : null,
            Expires = attributes is { } a3 ? JsonBody.OptionalUnixTime(a3, "exp") : null,
        };
    }

    private static Task<RequestState> AuthorizeObjectAsync(HttpContext context, string name, string dataAction) =>
        Endpoints.AuthorizeObjectAsync(context, "secrets", name, dataAction);

    private static IResult ListResult(HttpContext context, IEnumerable<JsonObject> items, string? continueAfter, int limit) =>
        Endpoints.List(context, items, continueAfter, limit);

    private static IResult Json(JsonObject body) => JsonResponse.Ok(body);

}
