using System.Security.Cryptography;
using Keyhub.Server.Hosting;

namespace Keyhub.Server.Tests.Security;

/// <summary>The raw bytes of a data folder's SQLite files (database, WAL, shared-memory index), read while the server runs.</summary>
internal static class StoreFiles
{
    public static IReadOnlyDictionary<string, byte[]> Read(string dataDirectory)
    {
        var database = KeyhubRuntime.DatabasePath(dataDirectory);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var path in new[] { database, database + "-wal", database + "-shm" })
        {
            if (!File.Exists(path))
            {
                continue;
            }
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[Path.GetFileName(path)] = copy.ToArray();
        }
        Assert.True(files.ContainsKey("keyhub.db"), $"No database in {dataDirectory}.");
        return files;
    }

    /// <summary>Names every (file, form) in which a needle shows up; empty when none does.</summary>
    public static IReadOnlyList<string> FindLeaks(IReadOnlyDictionary<string, byte[]> files, string label, string value) =>
        (from file in files
         from needle in Needles.Binary(value)
         where Needles.Contains(file.Value, needle.Bytes)
         select $"{label} as {needle.Form} in {file.Key}").ToList();

    /// <summary>
    /// Asserts that none of <paramref name="secrets"/> appears in the data folder's files in any form of
    /// <see cref="EncodedForms"/>; <paramref name="names"/> are stored in the clear and serve as the control
    /// that the search reads the right files.
    /// </summary>
    public static void AssertNoneInTheClear(string dataDirectory, IReadOnlyList<string> names, IReadOnlyList<(string Label, byte[] Bytes)> secrets, string when)
    {
        var files = Read(dataDirectory);
        foreach (var name in names)
        {
            Assert.True(AnyContains(files, System.Text.Encoding.UTF8.GetBytes(name.ToLowerInvariant())), $"Object name {name} not found {when}: the search reads the wrong files.");
        }
        var leaks = (from secret in secrets
                     from form in EncodedForms(secret.Bytes)
                     from file in files
                     where Needles.Contains(file.Value, form.Bytes)
                     select $"{secret.Label} as {form.Form} in {file.Key}").ToList();
        Assert.True(leaks.Count == 0, $"Secret material in the clear {when}: " + string.Join("; ", leaks));
    }

    /// <summary>
    /// Raw bytes, hex (both cases), and base64 / base64url at each of the three alignments a value can have
    /// inside a larger encoded buffer (only the characters the value's own bytes determine).
    /// </summary>
    public static IEnumerable<(string Form, byte[] Bytes)> EncodedForms(byte[] value)
    {
        yield return ("raw", value);
        yield return ("hex", System.Text.Encoding.ASCII.GetBytes(Convert.ToHexString(value)));
        yield return ("hex-lower", System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(value)));
        for (var offset = 0; offset < 3; offset++)
        {
            var padded = new byte[offset + value.Length];
            value.CopyTo(padded, offset);
            var encoded = Convert.ToBase64String(padded);
            var aligned = encoded[((offset == 0 ? 0 : 1) * 4)..((offset + value.Length) / 3 * 4)];
            yield return ($"base64+{offset}", System.Text.Encoding.ASCII.GetBytes(aligned));
            yield return ($"base64url+{offset}", System.Text.Encoding.ASCII.GetBytes(aligned.Replace('+', '-').Replace('/', '_')));
        }
    }

    public static bool AnyContains(IReadOnlyDictionary<string, byte[]> files, ReadOnlySpan<byte> needle)
    {
        foreach (var file in files.Values)
        {
            if (Needles.Contains(file, needle))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Random lower-case letters and digits: distinctive enough never to occur by chance.</summary>
    public static string Distinctive(int length)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return RandomNumberGenerator.GetString(Alphabet, length);
    }
}
