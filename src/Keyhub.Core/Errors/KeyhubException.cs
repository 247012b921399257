namespace Keyhub.Core.Errors;

/// <summary>
/// An expected outcome (not found, conflict, forbidden, bad parameter) with a stable code; rendered in
/// one place at the edge as the Azure error body. Messages never include secret input.
/// </summary>
public sealed class KeyhubException(int status, string code, string message, string? innerCode = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string? InnerCode { get; } = innerCode;
}
