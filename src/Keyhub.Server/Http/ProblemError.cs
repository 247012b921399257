using System.Text.Json.Nodes;
using Keyhub.Core.Errors;

namespace Keyhub.Server.Http;

/// <summary>Errors of Keyhub's own management API, as RFC 9457 problem details (the data plane keeps Azure's shape).</summary>
public static class ProblemError
{
    public static async Task WriteAsync(HttpContext context, int status, string code, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json; charset=utf-8";
        var body = new JsonObject
        {
            ["type"] = "about:blank",
            ["title"] = code,
            ["status"] = status,
            ["detail"] = detail,
            ["code"] = code,
        };
        await context.Response.WriteAsync(JsonResponse.Serialize(body), context.RequestAborted);
    }

    public static Task WriteAsync(HttpContext context, KeyhubException error) => WriteAsync(context, error.Status, error.InnerCode ?? error.Code, error.Message);
}
