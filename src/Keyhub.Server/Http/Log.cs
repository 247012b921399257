namespace Keyhub.Server.Http;

/// <summary>The server's log catalogue. Never a secret value, key byte, token or body.</summary>
internal static partial class Log
{
    // The level is chosen per request: a console line for every success costs about a third of the
    // throughput of a cheap operation (bench/README.md), so successes are Debug and refusals and
    // failures Information. The tamper-evident record of every access is the audit log's job.
    [LoggerMessage(EventId = 1000, Message = "{Method} {Path} -> {Status} principal={Principal} vault={Vault} request={RequestId}")]
    public static partial void RequestCompleted(ILogger logger, LogLevel level, string method, string path, int status, string? principal, string? vault, string requestId);

    [LoggerMessage(1001, LogLevel.Warning, "Refused host {Host} on port {Port} request={RequestId}")]
    public static partial void HostRefused(ILogger logger, string host, int port, string requestId);

    [LoggerMessage(1002, LogLevel.Error, "Unhandled failure request={RequestId}")]
    public static partial void Unhandled(ILogger logger, Exception exception, string requestId);

    [LoggerMessage(1003, LogLevel.Information, "Token issued to client {ClientId} for {Audience}")]
    public static partial void TokenIssued(ILogger logger, string clientId, string audience);

    [LoggerMessage(1004, LogLevel.Warning, "Token request refused: {Reason}")]
    public static partial void TokenRefused(ILogger logger, string reason);

    [LoggerMessage(1005, LogLevel.Information, "Purged {Count} deleted objects past retention")]
    public static partial void Purged(ILogger logger, int count);

    [LoggerMessage(1006, LogLevel.Error, "Purge run failed")]
    public static partial void PurgeFailed(ILogger logger, Exception exception);

    [LoggerMessage(1007, LogLevel.Information, "Rotated {Count} keys by their rotation policies")]
    public static partial void Rotated(ILogger logger, int count);

    [LoggerMessage(1008, LogLevel.Error, "Key rotation run failed")]
    public static partial void RotationFailed(ILogger logger, Exception exception);

    [LoggerMessage(1009, LogLevel.Information, "Barrier rotated automatically to term {Term} (policy: encryptions or age)")]
    public static partial void BarrierRotated(ILogger logger, uint term);

    [LoggerMessage(1010, LogLevel.Information, "Re-encrypted {Count} records under barrier term {Term}")]
    public static partial void Reencrypted(ILogger logger, int count, uint term);

    [LoggerMessage(1011, LogLevel.Warning, "{Count} records do not open under their own identity and were left as they are; their terms cannot be retired")]
    public static partial void ReencryptionUnreadable(ILogger logger, int count);

    [LoggerMessage(1012, LogLevel.Error, "Barrier maintenance run failed")]
    public static partial void BarrierMaintenanceFailed(ILogger logger, Exception exception);
}
