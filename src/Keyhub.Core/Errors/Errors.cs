namespace Keyhub.Core.Errors;

/// <summary>The catalogue of data-plane errors, with Azure's codes and statuses (wire.md §4.6).</summary>
public static class Errors
{
    public static KeyhubException BadParameter(string message) => new(400, "BadParameter", message);

    public static KeyhubException Unauthorized(string message) => new(401, "Unauthorized", message);

    public static KeyhubException Forbidden(string message, string? innerCode = null) => new(403, "Forbidden", message, innerCode);

    public static KeyhubException NotFound(string code, string message) => new(404, code, message);

    public static KeyhubException Conflict(string message, string? innerCode = null) => new(409, "Conflict", message, innerCode);

    public static KeyhubException PayloadTooLarge(string message) => new(413, "BadParameter", message);

    public static KeyhubException Sealed() => new(503, "ServiceUnavailable", "Keyhub is sealed; only health and unseal requests are answered.");
}
