using System.Globalization;

namespace CathLab.Bench.Station;

/// <summary>What the harness was asked to do: how long each recorded run lasts and at which frame rates.</summary>
public sealed record HarnessOptions(double Seconds, IReadOnlyList<double> FrameRates, string ResultsFolder, string Preset)
{
    public const string Usage = "usage: CathLab.Bench.Station [--seconds 60] [--fps 30,60] [--results bench/results] [--preset water|coronary|peripheral]";

    /// <summary>The options, or null with the reason in <paramref name="error"/> when an argument is bad.</summary>
    public static HarnessOptions? Parse(string[] args, out string error)
    {
        double seconds = 60;
        double[] rates = [30, 60];
        string results = Path.Combine("bench", "results");
        // The water phantom keeps the simulator's own rendering light on a shared two-core machine; the station's work
        // per frame does not depend on what the frame shows.
        string preset = "water";
        error = "";
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "--help" or "-h") { error = Usage; return null; }
            if (i + 1 >= args.Length) { error = $"{name} needs a value. {Usage}"; return null; }
            string value = args[++i];
            switch (name)
            {
                case "--seconds":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) || seconds is < 1 or > 600)
                    { error = $"--seconds '{value}': give 1..600"; return null; }
                    break;
                case "--fps":
                    var parsed = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) && r is >= 1 and <= 60 ? r : double.NaN)
                        .ToArray();
                    if (parsed.Length == 0 || parsed.Any(double.IsNaN)) { error = $"--fps '{value}': give rates 1..60 separated by commas"; return null; }
                    rates = parsed;
                    break;
                case "--preset":
                    if (value is not ("water" or "coronary" or "peripheral")) { error = $"--preset '{value}': give water, coronary or peripheral"; return null; }
                    preset = value;
                    break;
                case "--results":
                    results = value;
                    break;
                default:
                    error = $"unknown argument '{name}'. {Usage}";
                    return null;
            }
        }
        return new HarnessOptions(seconds, rates, results, preset);
    }
}
