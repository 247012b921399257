using System.Text.Json;
using Keyhub.Core.Errors;
using Microsoft.AspNetCore.Http.Features;

namespace Keyhub.Server.Http;

/// <summary>Reads a bounded JSON request body with a depth limit; every defect is a 400 (or 413) in Azure's shape.</summary>
public static class JsonBody
{
    public const int DefaultMaxBytes = 256 * 1024;
    public const int RestoreMaxBytes = 16 * 1024 * 1024;
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32 };

    public static async Task<JsonElement> ReadObjectAsync(HttpContext context, int maxBytes = DefaultMaxBytes)
    {
        var contentType = context.Request.ContentType;
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !string.Equals(mediaType.MediaType.Value, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw Errors.BadParameter("The request body must be JSON with Content-Type 'application/json'.");
        }
        if (context.Request.ContentLength > maxBytes)
        {
            throw Errors.PayloadTooLarge($"The request body exceeds {maxBytes} bytes.");
        }
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = maxBytes;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw Errors.PayloadTooLarge($"The request body exceeds {maxBytes} bytes.");
            }
            buffer.Write(chunk, 0, read);
        }
        try
        {
            using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), Options);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Errors.BadParameter("The request body must be a JSON object.");
            }
            EnsureReadableText(document.RootElement);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw Errors.BadParameter("The request body is not valid JSON.");
        }
        catch (InvalidOperationException)
        {
            // Thrown by EnsureReadableText only; its message quotes the offending bytes, so it is not passed on.
            throw Errors.BadParameter("The request body holds text that is not valid UTF-8 or UTF-16.");
        }
        finally
        {
            // The body may hold a secret value: do not leave it in a pooled buffer.
            Array.Clear(buffer.GetBuffer());
        }
    }

    /// <summary>
    /// JsonDocument checks structure, not text: invalid UTF-8, or a lone surrogate escape such as
    /// <c>"\ud800"</c>, fails only when the string is read. Read every name and string now (depth is
    /// bounded by MaxDepth), so such a body is a 400 here rather than a 500 in an endpoint.
    /// </summary>
    private static void EnsureReadableText(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    EnsureReadableText(property.Value);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    EnsureReadableText(item);
                }
                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
        }
    }

    public static string? OptionalString(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Errors.BadParameter($"'{name}' must be a string.");
    }

    public static bool? OptionalBool(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Errors.BadParameter($"'{name}' must be true or false."),
        };
    }

    public static int? OptionalInt(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : throw Errors.BadParameter($"'{name}' must be an integer.");
    }

    /// <summary>Unix seconds (Azure's IntDate).</summary>
    public static DateTimeOffset? OptionalUnixTime(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var seconds) || seconds < 0 || seconds > 253402300799)
        {
            throw Errors.BadParameter($"'{name}' must be a time in Unix seconds.");
        }
        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    public static JsonElement? OptionalObject(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Object ? value : throw Errors.BadParameter($"'{name}' must be an object.");
    }

    public static Dictionary<string, string>? OptionalTags(JsonElement obj)
    {
        if (OptionalObject(obj, "tags") is not { } tags)
        {
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags.EnumerateObject())
        {
            if (tag.Value.ValueKind != JsonValueKind.String)
            {
                throw Errors.BadParameter("Tag values must be strings.");
            }
            result[tag.Name] = tag.Value.GetString()!;
        }
        return result;
    }
}
