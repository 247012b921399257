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
