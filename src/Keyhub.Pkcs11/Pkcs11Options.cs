namespace Keyhub.Pkcs11;

/// <summary>Where the PKCS#11 token is and how to log in to it as the normal user.</summary>
/// <param name="LibraryPath">The vendor's PKCS#11 module, e.g. <c>/usr/lib/softhsm/libsofthsm2.so</c>.</param>
/// <param name="TokenLabel">CKA_LABEL of the token (CK_TOKEN_INFO.label, trailing blanks ignored).</param>
/// <param name="Pin">The CKU_USER PIN. Never logged and never part of an exception message.</param>
public sealed record Pkcs11Options(string LibraryPath, string TokenLabel, string Pin)
{
    // The PIN stays out of ToString, which records would otherwise print.
    public override string ToString() => $"Pkcs11Options {{ LibraryPath = {LibraryPath}, TokenLabel = {TokenLabel} }}";
}
