using System.Collections.Frozen;
using Net.Pkcs11Interop.Common;

namespace Keyhub.Pkcs11;

/// <summary>
/// Cryptoki names of mechanisms. Some values have two names (CKM_EC_KEY_PAIR_GEN is CKM_ECDSA_KEY_PAIR_GEN),
/// and enum formatting picks one of them arbitrarily, so a token's list carries every name of each value.
/// Values Pkcs11Interop 5.3 does not know (PKCS#11 3.0 additions such as CKM_EDDSA) appear as hex.
/// </summary>
internal static class MechanismNames
{
    private static readonly FrozenDictionary<uint, string[]> NamesByValue = Enum.GetNames<CKM>()
        .GroupBy(name => (uint)Enum.Parse<CKM>(name))
        .ToFrozenDictionary(group => group.Key, group => group.ToArray());

    public static string Name(CKM mechanism) =>
        NamesByValue.TryGetValue((uint)mechanism, out var names) ? names[0] : Hex((uint)mechanism);

    public static IReadOnlySet<string> Of(IEnumerable<CKM> mechanisms) => mechanisms
        .SelectMany(m => NamesByValue.TryGetValue((uint)m, out var names) ? names : [Hex((uint)m)])
        .ToFrozenSet(StringComparer.Ordinal);

    private static string Hex(uint value) => $"0x{value:X8}";
}
