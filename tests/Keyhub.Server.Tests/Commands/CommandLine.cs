using System.Text.Json.Nodes;
using Keyhub.Server.Tests.Dev;

namespace Keyhub.Server.Tests.Commands;

/// <summary>Runs the real <c>keyhub</c> executable the way the command-line tests need it.</summary>
internal static class CommandLine
{
    /// <summary>Runs a command that must succeed.</summary>
    public static async Task<CommandResult> Ok(params string[] arguments)
    {
        var result = await KeyhubProcess.RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"keyhub {string.Join(' ', arguments)} failed ({result.ExitCode}):\n{result.Output}\n{result.Errors}");
        return result;
    }

    /// <summary>Runs a command as the profile's principal with <c>--output json</c> and parses what it printed.</summary>
    public static async Task<JsonNode> Json(string profile, params string[] arguments)
    {
        var result = await Ok([.. arguments, "--output", "json", "--profile", profile]);
        return JsonNode.Parse(result.Output)!;
    }

    /// <summary>Runs a command that must fail, naming <paramref name="status"/> in its error output.</summary>
    public static async Task Refused(string status, params string[] arguments)
    {
        var result = await KeyhubProcess.RunAsync(arguments);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(status, result.Errors, StringComparison.Ordinal);
    }
}
