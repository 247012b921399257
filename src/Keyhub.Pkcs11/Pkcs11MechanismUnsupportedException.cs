namespace Keyhub.Pkcs11;

/// <summary>
/// The token lacks a mechanism, or the parameters of one (a hash for OAEP, a curve for EC keys): it is not
/// in C_GetMechanismList, or the token answered CKR_MECHANISM_INVALID / CKR_MECHANISM_PARAM_INVALID.
/// </summary>
public sealed class Pkcs11MechanismUnsupportedException : Pkcs11Exception
{
    public Pkcs11MechanismUnsupportedException(string mechanism, string? detail = null, Exception? innerException = null)
        : base(detail is null
            ? $"the token does not support {mechanism}"
            : $"the token does not support {mechanism} ({detail})", innerException)
    {
        Mechanism = mechanism;
        Detail = detail;
    }

    /// <summary>The parameters that matter, when the mechanism itself exists (e.g. <c>SHA-256, MGF1-SHA-256</c> for OAEP).</summary>
    public string? Detail { get; }

    /// <summary>The Cryptoki name, e.g. <c>CKM_RSA_PKCS_OAEP</c>.</summary>
    public string Mechanism { get; }
}
