using Keyhub.Core.Vaults;

namespace Keyhub.Core.Authorization;

/// <summary>
/// Scopes nest: <c>/</c> ⊃ <c>/vaults/{v}</c> ⊃ <c>/vaults/{v}/{secrets|keys|certificates}/{name}</c>.
/// Names are normalised exactly as lookups normalise them.
/// </summary>
public static class Scopes
{
    public const string Root = "/";

    public static string Vault(string vault) => $"/vaults/{Names.Normalize(vault)}";

    public static string Object(string vault, string collection, string name) => $"{Vault(vault)}/{collection}/{Names.Normalize(name)}";

    /// <summary>Validates and normalises a scope given by an operator.</summary>
    public static string Parse(string scope)
    {
        if (scope == Root)
        {
            return Root;
        }
        var parts = scope.Split('/');
        var valid = parts.Length is 3 or 5 && parts[0].Length == 0 && parts[1] == "vaults";
        if (valid)
        {
            Names.ValidateVault(parts[2]);
            if (parts.Length == 5)
            {
                valid = parts[3] is "secrets" or "keys" or "certificates";
                Names.ValidateObject(parts[4]);
            }
        }
        if (!valid)
        {
            throw Errors.Errors.BadParameter("A scope is '/', '/vaults/{vault}' or '/vaults/{vault}/{secrets|keys|certificates}/{name}'.");
        }
        return parts.Length == 3 ? Vault(parts[2]) : Object(parts[2], parts[3], parts[4]);
    }

    public static bool Encloses(string outer, string inner) =>
        outer == Root || inner == outer || inner.StartsWith(outer + "/", StringComparison.Ordinal);
}
