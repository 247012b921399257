namespace Keyhub.Commands;

/// <summary><c>--name value</c> and <c>--flag</c> options; every option is checked against what a command accepts.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string?> _options;
    private readonly Dictionary<string, List<string>> _repeated;
    private readonly HashSet<string> _used = [];

    private Arguments(Dictionary<string, string?> options, Dictionary<string, List<string>> repeated)
    {
        _options = options;
        _repeated = repeated;
    }

    public static Arguments Parse(IReadOnlyList<string> args)
    {
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        var repeated = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string name, string? value)
        {
            options[name] = value;
            if (value is null)
            {
                return;
            }
            if (!repeated.TryGetValue(name, out var values))
            {
                values = [];
                repeated[name] = values;
            }
            values.Add(value);
        }
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length < 3)
            {
                throw new CommandLineException($"unexpected argument '{arg}'");
            }
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                Add(arg[2..equals], arg[(equals + 1)..]);
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                Add(arg[2..], args[++i]);
            }
            else
            {
                Add(arg[2..], null);
            }
        }
        return new Arguments(options, repeated);
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var value) && value is null or "true";
    }

    public string? Optional(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var value) ? value ?? throw new CommandLineException($"--{name} needs a value") : null;
    }

    /// <summary>
    /// Every value of an option that may repeat (<c>--x a --x b</c>, or <c>--x a,b</c>); null when it is absent.
    /// Empty values are dropped, so <c>--x ""</c> stands for an empty list.
    /// </summary>
    public IReadOnlyList<string>? Many(string name)
    {
        _used.Add(name);
        if (!_options.ContainsKey(name))
        {
            return null;
        }
        if (!_repeated.TryGetValue(name, out var values))
        {
            throw new CommandLineException($"--{name} needs a value");
        }
        return values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
    }

    public string Required(string name) => Optional(name) ?? throw new CommandLineException($"--{name} is required");

    public int? OptionalInt(string name)
    {
        var value = Optional(name);
        if (value is null)
        {
            return null;
        }
        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new CommandLineException($"--{name} must be a number");
    }

    /// <summary>Call after reading every option a command knows: anything else is a mistake worth reporting.</summary>
    public void RejectUnknown()
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new CommandLineException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
        }
    }
}

internal sealed class CommandLineException(string message) : Exception(message);
