using System.Globalization;

namespace CathLab.Console.Commands;

/// <summary>Reads <c>--name value</c> options and <c>--flag</c> switches; anything unknown or malformed is a usage error.</summary>
public sealed class OptionReader
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public OptionReader(IReadOnlyList<string> args, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> switches)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unexpected argument '{a}'");
            string name = a[2..];
            if (switches.Contains(name)) _values[name] = null;
            else if (valued.Contains(name))
            {
                if (i + 1 >= args.Count) throw new UsageException($"--{name} needs a value");
                _values[name] = args[++i];
            }
            else throw new UsageException($"unknown option --{name}");
        }
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? String(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public string Required(string name) => String(name) ?? throw new UsageException($"--{name} is required");

    public long Whole(string name, long fallback, long min, long max)
    {
        if (String(name) is not { } text) return fallback;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
            throw new UsageException($"--{name} must be a whole number in [{min}, {max}]");
        return v;
    }

    public double Number(string name, double fallback, double min, double max)
    {
        if (String(name) is not { } text) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v >= min && v <= max))
            throw new UsageException($"--{name} must be a number in [{min}, {max}]");
        return v;
    }
}

public sealed class UsageException(string message) : Exception(message);
