using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab pedal down|up</c>: the exposure pedal, pressed and released by hand.</summary>
public sealed class PedalCommand : StationCommand
{
    public override string Name => "pedal";

    public override string Summary => "press (pedal down) or release (pedal up) the exposure pedal";

    public override string Usage => """
        usage: cathlab pedal down [--protocol NAME]
               cathlab pedal up
          --protocol NAME     expose with this protocol instead of the selected one
        """ + StationTarget.OptionsUsage;

    protected override int Words => 1;

    protected override IReadOnlyCollection<string> Valued => ["protocol"];

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options)
    {
        switch (words[0])
        {
            case "down":
                var down = new PedalDownRequest();
                if (options.String("protocol") is { } protocol) down.Protocol = protocol;
                return async (station, output, cancellation) =>
                {
                    output.WriteLine(StationText.Run(await station.Control.PedalDownAsync(down, station.Call(cancellation))));
                    return ExitCodes.Success;
                };
            case "up":
                if (options.Has("protocol")) throw new UsageException("--protocol goes with pedal down");
                return async (station, output, cancellation) =>
                {
                    var run = await station.Control.PedalUpAsync(new PedalUpRequest(), station.Call(cancellation));
                    output.WriteLine(StationText.Run(run));
                    return run.State == RunState.Failed ? ExitCodes.Failure : ExitCodes.Success;
                };
            default:
                throw new UsageException($"unknown pedal action '{words[0]}' (down or up)");
        }
    }
}
