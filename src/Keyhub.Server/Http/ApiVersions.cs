namespace Keyhub.Server.Http;

/// <summary>The data-plane api-versions the SDKs send (wire.md §0); anything else is refused.</summary>
public static class ApiVersions
{
    public static readonly IReadOnlySet<string> Supported = new HashSet<string>(StringComparer.Ordinal)
    {
        "7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01", "2026-04-01",
    };
}
