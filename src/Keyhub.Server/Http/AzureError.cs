using System.Text.Json.Nodes;
using Keyhub.Core.Errors;

namespace Keyhub.Server.Http;

/// <summary>Renders errors in Azure's shape: <c>{"error":{"code","message","innererror":{"code"}}}</c>.</summary>
public static class AzureError
{
    public static Task WriteAsync(HttpContext context, KeyhubException error) =>
        WriteAsync(context, error.Status, error.Code, error.Message, error.InnerCode);

    public static async Task WriteAsync(HttpContext context, int status, string code, string message, string? innerCode = null)
    {
        var body = new JsonObject { ["code"] = code, ["message"] = message };
        if (innerCode is not null)
        {
            body["innererror"] = new JsonObject { ["code"] = innerCode };
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(JsonResponse.Serialize(new JsonObject { ["error"] = body }), context.RequestAborted);
    }
}
