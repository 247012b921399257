using System.Text.RegularExpressions;

namespace Keyhub.Core.Vaults;

/// <summary>Name rules, checked before any lookup so no path trick reaches storage.</summary>
public static partial class Names
{
    public static void ValidateObject(string? name, string what = "object")
    {
        if (name is null || !ObjectName().IsMatch(name))
        {
            throw Errors.Errors.BadParameter($"The {what} name is invalid: names are 1-127 characters of letters, digits and '-'.");
        }
    }

    public static void ValidateVersion(string? version)
    {
        if (version is null || !Version().IsMatch(version))
        {
            throw Errors.Errors.BadParameter("The version is invalid: versions are 32 hexadecimal characters.");
        }
    }

    public static void ValidateVault(string? name)
    {
        if (name is null || !VaultName().IsMatch(name))
        {
            throw Errors.Errors.BadParameter("The vault name is invalid: vault names are 3-24 characters of letters, digits and '-', starting with a letter.");
        }
    }

    /// <summary>Lookups and uniqueness are case-insensitive; the case given at creation is kept for display.</summary>
    public static string Normalize(string name) => name.ToLowerInvariant();

    [GeneratedRegex(@"^[0-9a-zA-Z-]{1,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ObjectName();

    [GeneratedRegex(@"^[0-9a-fA-F]{32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Version();

    [GeneratedRegex(@"^[a-zA-Z][0-9a-zA-Z-]{1,22}[0-9a-zA-Z]\z", RegexOptions.CultureInvariant)]
    private static partial Regex VaultName();
}
