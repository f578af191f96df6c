using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab save-fluoro --seconds N</c>: keeps the last N seconds of fluoro as a recorded run.</summary>
public sealed class SaveFluoroCommand : StationCommand
{
    public override string Name => "save-fluoro";

    public override string Summary => "keep the last N seconds of fluoro as a recorded run";

    public override string Usage => """
        usage: cathlab save-fluoro --seconds N
          --seconds N         how much of the last fluoro to keep (0 < N <= 600; the station holds only so much)
        """ + StationTarget.OptionsUsage;

    protected override IReadOnlyCollection<string> Valued => ["seconds"];

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options)
    {
        var request = new SaveLastFluoroRequest { Seconds = FluoroCommand.HoldSeconds(options) };
        return async (station, output, cancellation) =>
        {
            var run = await station.Control.SaveLastFluoroAsync(request, station.Call(cancellation));
            output.WriteLine(StationText.Run(run));
            return run.State == RunState.Failed ? ExitCodes.Failure : ExitCodes.Success;
        };
    }
}
