using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Certificates;

/// <summary>The issuer names reserved in every vault, and the rule for the names of stored issuers.</summary>
public static class CertificateIssuers
{
    /// <summary>Self-signed by the certificate's own key.</summary>
    public const string Self = "Self";

    /// <summary>Keyhub returns a CSR; the certificate is completed by merging what an outside CA signed.</summary>
    public const string Unknown = "Unknown";

    /// <summary>Issued by the deployment's workload CA, for names on the vault's allow-list.</summary>
    public const string Keyhub = "Keyhub";

    public static bool IsReserved(string name) =>
        string.Equals(name, Self, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, Unknown, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, Keyhub, StringComparison.OrdinalIgnoreCase);

    public static void ValidateName(string name)
    {
        if (name.Length is 0 or > 127 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw E.BadParameter("Issuer names are 1-127 characters: letters, digits and '-'.");
        }
    }
}
