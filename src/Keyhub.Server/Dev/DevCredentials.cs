using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyhub.Server.Dev;

/// <summary>
/// <c>&lt;data&gt;/dev/credentials.json</c>: how tools and tests connect in dev mode. Field names are a
/// contract (design.md §7); keep them stable.
/// </summary>
public sealed record DevCredentials
{
    [JsonPropertyName("tenantId")] public required string TenantId { get; init; }
    [JsonPropertyName("authorityHost")] public required string AuthorityHost { get; init; }
    [JsonPropertyName("clientId")] public required string ClientId { get; init; }
    [JsonPropertyName("clientSecret")] public required string ClientSecret { get; init; }
    [JsonPropertyName("caCertificate")] public required string CaCertificate { get; init; }
    [JsonPropertyName("vaults")] public required Dictionary<string, string> Vaults { get; init; }

    public static string PathIn(string dataDirectory) => System.IO.Path.Combine(dataDirectory, "dev", "credentials.json");

    public static DevCredentials? TryRead(string dataDirectory)
    {
        try
        {
            return JsonSerializer.Deserialize<DevCredentials>(File.ReadAllBytes(PathIn(dataDirectory)));
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
