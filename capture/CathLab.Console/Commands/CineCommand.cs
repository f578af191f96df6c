using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab cine --protocol NAME --seconds N</c>: a recorded run (cine or DSA) held for N seconds.</summary>
public sealed class CineCommand : StationCommand
{
    public override string Name => "cine";

    public override string Summary => "a recorded run (cine or DSA) for N seconds: pedal down, hold, pedal up";

    public override string Usage => """
        usage: cathlab cine --protocol NAME --seconds N [--side R|L]
          --protocol NAME     a cine or DSA protocol
          --seconds N         how long to hold the pedal (0 < N <= 600)
        """ + SideOption.Usage + "\n" + StationTarget.OptionsUsage;

    protected override IReadOnlyCollection<string> Valued => ["seconds", "protocol", SideOption.Name];

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options)
    {
        string wanted = options.Required("protocol");
        double seconds = FluoroCommand.HoldSeconds(options);
        string? side = SideOption.Read(options);
        return async (station, output, cancellation) =>
        {
            string protocol = await PedalHold.ChooseProtocolAsync(station, wanted, [RunKind.Cine, RunKind.Dsa], Name, cancellation);
            return await PedalHold.RunAsync(station, output, protocol, seconds, cancellation, side);
        };
    }
}
