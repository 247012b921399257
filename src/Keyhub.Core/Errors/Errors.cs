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

    public static KeyhubException SecretNotFound(string name, string? version = null) => NotFound(
        "SecretNotFound",
        version is null
            ? $"A secret with (name/id) {name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182"
            : $"A secret with (name/id) {name}/{version} was not found in this key vault.");

    public static KeyhubException DeletedSecretNotFound(string name) => NotFound(
        "SecretNotFound",
        $"Deleted Secret not found: {name}");
}
