using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyhub.Core.Authorization;
using Keyhub.Core.Errors;
using Keyhub.Core.Vaults;

namespace Keyhub.Server.Http;

/// <summary>What every data-plane endpoint does the same way: authorize on the object's scope, page lists, write JSON.</summary>
internal static class Endpoints
{
    public static async Task<RequestState> AuthorizeObjectAsync(HttpContext context, string collection, string name, string dataAction)
    {
        Names.ValidateObject(name, collection.TrimEnd('s'));
        var state = context.Keyhub();
        await context.AuthorizeAsync(dataAction, Scopes.Object(state.Vault.Name, collection, name));
        return state;
    }

    public static async Task<RequestState> AuthorizeVaultAsync(HttpContext context, string dataAction)
    {
        var state = context.Keyhub();
        await context.AuthorizeAsync(dataAction, Scopes.Vault(state.Vault.Name));
        return state;
    }

    public static IResult List(HttpContext context, IEnumerable<JsonObject> items, string? continueAfter, int limit) => JsonResponse.Ok(new JsonObject
    {
        ["value"] = new JsonArray(items.Cast<JsonNode>().ToArray()),
        ["nextLink"] = Paging.NextLink(context, continueAfter, limit),
    });

    /// <summary>Base64url bytes (padding optional); standard base64 is accepted too, as some clients send it.</summary>
    public static byte[]? OptionalBytes(JsonElement obj, string name)
    {
        var text = JsonBody.OptionalString(obj, name);
        if (text is null)
        {
            return null;
        }
        try
        {
            return Base64Url.DecodeFromChars(text.TrimEnd('='));
        }
        catch (FormatException)
        {
            try
            {
                return Convert.FromBase64String(text);
            }
            catch (FormatException)
            {
                throw Errors.BadParameter($"'{name}' must be base64url.");
            }
        }
    }

    public static string Base64UrlString(byte[] bytes) => Base64Url.EncodeToString(bytes);
}
