namespace CathLab.Console.Commands;

/// <summary><c>cathlab pedal down</c>: the exposure pedal as a dead-man, held for as long as the command runs.</summary>
public sealed class PedalCommand : StationCommand
{
    public override string Name => "pedal";

    public override string Summary => "hold the exposure pedal down until Ctrl+C (a dead-man: it comes up if this command dies)";

    public override string Usage => """
        usage: cathlab pedal down [--protocol NAME] [--side R|L|-]
          holds the pedal until Ctrl+C or SIGTERM, then releases it and prints the run.
          If this process is killed or its connection to the station is lost or stalls,
          the station releases the pedal itself within its lease (Station:Exposure:PedalLeaseMs).
          --protocol NAME     expose with this protocol instead of the selected one
          --side R|L|-        the side of a paired body part (- for unknown); default: the selected side
        """ + StationTarget.OptionsUsage;

    protected override int Words => 1;

    protected override IReadOnlyCollection<string> Valued => ["protocol", "side"];

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options)
    {
        switch (words[0])
        {
            case "down":
                string? protocol = options.String("protocol");
                string? side = options.String("side");
                if (side is not (null or "R" or "L" or "-")) throw new UsageException("--side must be R, L or -");
                return (station, output, cancellation) => PedalHold.RunAsync(station, output, protocol, null, cancellation, side);
            case "up":
                throw new UsageException("the pedal is a dead-man: it comes up when `cathlab pedal down` ends (Ctrl+C)");
            default:
                throw new UsageException($"unknown pedal action '{words[0]}' (down)");
        }
    }
}
