using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyhub.Server.Http;

/// <summary>Writes JSON bodies. Relaxed escaping keeps values such as "Recoverable+Purgeable" readable; the body is always served as application/json.</summary>
public static class JsonResponse
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(JsonNode body) => body.ToJsonString(Options);

    public static IResult Ok(JsonNode body, int status = 200) =>
        Results.Text(Serialize(body), "application/json; charset=utf-8", statusCode: status);
}
