using System.Text;

namespace Keyhub.Server.Tests.Security;

/// <summary>
/// The forms a leaked string could take in a file or a log: raw UTF-8, UTF-16 (both byte orders), hex
/// (both cases), and base64 / base64url. A base64 rendering of a value embedded in a larger buffer
/// depends on where the value starts modulo 3, so every alignment is produced, keeping only the
/// characters that the value's own bytes determine.
/// </summary>
internal static class Needles
{
    public static IEnumerable<(string Form, byte[] Bytes)> Binary(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        yield return ("utf-8", utf8);
        yield return ("utf-16le", Encoding.Unicode.GetBytes(value));
        yield return ("utf-16be", Encoding.BigEndianUnicode.GetBytes(value));
        foreach (var (form, text) in Text(value).Where(t => t.Form != "raw"))
        {
            yield return (form, Encoding.ASCII.GetBytes(text));
        }
    }

    public static IEnumerable<(string Form, string Text)> Text(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        yield return ("raw", value);
        yield return ("hex", Convert.ToHexString(utf8));
        yield return ("hex-lower", Convert.ToHexStringLower(utf8));
        for (var offset = 0; offset < 3; offset++)
        {
            var base64 = AlignedBase64(utf8, offset);
            yield return ($"base64+{offset}", base64);
            yield return ($"base64url+{offset}", base64.Replace('+', '-').Replace('/', '_'));
        }
    }

    /// <summary>Whether <paramref name="haystack"/> holds <paramref name="needle"/> anywhere.</summary>
    public static bool Contains(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) =>
        needle.Length > 0 && haystack.IndexOf(needle) >= 0;

    /// <summary>The base64 characters fully determined by <paramref name="value"/> when it starts <paramref name="offset"/> bytes into a 3-byte group.</summary>
    private static string AlignedBase64(byte[] value, int offset)
    {
        var padded = new byte[offset + value.Length];
        value.CopyTo(padded, offset);
        var encoded = Convert.ToBase64String(padded);
        var firstGroup = offset == 0 ? 0 : 1;
        var lastGroup = (offset + value.Length) / 3;
        return encoded[(firstGroup * 4)..(lastGroup * 4)];
    }
}
