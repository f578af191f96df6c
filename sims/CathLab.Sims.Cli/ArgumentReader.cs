using System.Globalization;

namespace CathLab.Sims.Cli;

/// <summary>Reads "--name value" options and "--flag" switches; anything unknown, repeated or unparsable is an error
/// that names the option.</summary>
public sealed class ArgumentReader
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public ArgumentReader(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string arg = list[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2) throw new UsageException($"unexpected argument '{arg}'");
            string name = arg[2..];
            string? value = null;
            int eq = name.IndexOf('=');
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (!flags.Contains(name))
            {
                if (i + 1 >= list.Count) throw new UsageException($"option --{name} needs a value");
                value = list[++i];
            }
            if (!_values.TryAdd(name, value)) throw new UsageException($"option --{name} given twice");
        }
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        return _values.ContainsKey(name);
    }

    public string? Text(string name)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out var value) ? value : null;
    }

    public string RequiredText(string name) => Text(name) ?? throw new UsageException($"option --{name} is required");

    public double Number(string name, double fallback, double min, double max)
    {
        string? text = Text(name);
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsNaN(value))
            throw new UsageException($"option --{name}: '{text}' is not a number");
        if (value < min || value > max) throw new UsageException($"option --{name}: {text} is outside {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }

    public int Integer(string name, int fallback, int min, int max)
    {
        double value = Number(name, fallback, min, max);
        if (value != Math.Floor(value)) throw new UsageException($"option --{name}: {value} is not a whole number");
        return (int)value;
    }

    public int? OptionalInteger(string name, int min, int max) => Text(name) is null ? null : Integer(name, 0, min, max);

    /// <summary>Throws for any option given but never asked for, so a typo is not silently ignored.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new UsageException($"unknown option{(unknown.Count > 1 ? "s" : "")}: {string.Join(", ", unknown.Select(u => "--" + u))} (see cathlab-sim --help)");
    }
}

public sealed class UsageException(string message) : Exception(message);
