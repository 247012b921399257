namespace Keyhub.Core.IO;

/// <summary>
/// Writes files atomically (temp file, fsync, rename) so a reader never sees half a file; private
/// files are created with mode 0600 from the start rather than chmod-ed afterwards.
/// </summary>
public static class PrivateFile
{
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content, bool ownerOnly)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Options = FileOptions.WriteThrough,
        };
        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
