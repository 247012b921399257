using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyhub.Commands;

/// <summary>Prints results as a table (default) or as JSON (<c>--output json</c>).</summary>
internal sealed class Output(bool json)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public bool IsJson => json;

    public static Output From(Arguments args) => args.Optional("output") switch
    {
        null or "table" => new Output(false),
        "json" => new Output(true),
        var other => throw new CommandLineException($"--output is table or json, not '{other}'"),
    };

    /// <summary>One object, or a list in <c>value</c>, shown with the given columns.</summary>
    public void Write(JsonNode? result, params string[] columns)
    {
        if (json)
        {
            Console.WriteLine(result?.ToJsonString(Indented) ?? "null");
            return;
        }
        var rows = result?["value"] is JsonArray array ? array.OfType<JsonObject>().ToList()
            : result is JsonObject single ? [single]
            : [];
        var cells = rows.Select(r => columns.Select(c => Cell(r, c)).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        Console.WriteLine(string.Join("  ", columns.Select((c, i) => c.ToUpperInvariant().PadRight(widths[i]))).TrimEnd());
        foreach (var row in cells)
        {
            Console.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }
    }

    private static string Cell(JsonObject row, string path)
    {
        JsonNode? node = row;
        foreach (var part in path.Split('.'))
        {
            node = node?[part];
        }
        return node switch
        {
            null => "",
            JsonArray a => string.Join(",", a.Select(x => x?.ToString())),
            _ => node.ToString(),
        };
    }
}
