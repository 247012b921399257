using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyhub.Commands;

/// <summary>
/// How the command line reaches a Keyhub: the same fields as dev mode's credentials.json, so that file is
/// a profile. Chosen by <c>--profile</c>, else <c>KEYHUB_PROFILE</c>, else <c>./.keyhub-dev/dev/credentials.json</c>.
/// </summary>
internal sealed record Profile
{
    [JsonPropertyName("tenantId")] public required string TenantId { get; init; }
    [JsonPropertyName("authorityHost")] public required string AuthorityHost { get; init; }
    [JsonPropertyName("clientId")] public required string ClientId { get; init; }
    [JsonPropertyName("clientSecret")] public required string ClientSecret { get; init; }
    [JsonPropertyName("caCertificate")] public string? CaCertificate { get; init; }
    [JsonPropertyName("vaults")] public Dictionary<string, string> Vaults { get; init; } = [];

    public static Profile Load(string? path)
    {
        path ??= Environment.GetEnvironmentVariable("KEYHUB_PROFILE") ?? Path.Combine(".keyhub-dev", "dev", "credentials.json");
        try
        {
            return JsonSerializer.Deserialize<Profile>(File.ReadAllBytes(path))
                ?? throw new CommandLineException($"the profile '{path}' is empty");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new CommandLineException($"cannot read the profile '{path}' ({ex.GetType().Name}); pass --profile FILE or set KEYHUB_PROFILE");
        }
    }
}
