using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab fluoro --seconds N</c>: pedal down on a fluoro protocol, hold, pedal up.</summary>
public sealed class FluoroCommand : StationCommand
{
    public const double MaxSeconds = 600;

    public override string Name => "fluoro";

    public override string Summary => "fluoro for N seconds: pedal down, hold, pedal up (for scripts)";

    public override string Usage => """
        usage: cathlab fluoro --seconds N [--protocol NAME]
          --seconds N         how long to hold the pedal (0 < N <= 600)
          --protocol NAME     a fluoro protocol (default: the selected one if it is fluoro, else the first fluoro protocol)
        """ + StationTarget.OptionsUsage;

    protected override IReadOnlyCollection<string> Valued => ["seconds", "protocol"];

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options)
    {
        double seconds = HoldSeconds(options);
        string? wanted = options.String("protocol");
        return async (station, output, cancellation) =>
        {
            string protocol = await PedalHold.ChooseProtocolAsync(station, wanted, [RunKind.Fluoro], Name, cancellation);
            return await PedalHold.RunAsync(station, output, protocol, seconds, cancellation);
        };
    }

    /// <summary>The required <c>--seconds</c> of a hold, checked.</summary>
    public static double HoldSeconds(OptionReader options)
    {
        options.Required("seconds");
        double seconds = options.Number("seconds", 0, 0, MaxSeconds);
        return seconds > 0 ? seconds : throw new UsageException($"--seconds must be more than 0 (and at most {MaxSeconds})");
    }
}
