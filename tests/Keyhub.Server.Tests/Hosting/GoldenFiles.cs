namespace Keyhub.Server.Tests.Hosting;

/// <summary>The committed golden data (tests/Keyhub.Server.Tests/Golden, copied next to the test assembly).</summary>
internal static class GoldenFiles
{
    /// <summary>A scratch copy of a golden data folder, so a test may open (and change) it; the caller deletes it.</summary>
    public static string CopyFolder(string golden)
    {
        var source = Path.Combine(AppContext.BaseDirectory, golden);
        var folder = Directory.CreateTempSubdirectory("keyhub-golden-").FullName;
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }
        return folder;
    }

    /// <summary>The test project's source folder, where the generators write new golden files.</summary>
    public static string TestsFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Keyhub.Server.Tests.csproj")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Test project folder not found.");
    }
}
