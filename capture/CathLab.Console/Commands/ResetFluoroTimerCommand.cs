using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab reset-fluoro-timer</c>: silences the 5-minute fluoro timer's alarm.</summary>
public sealed class ResetFluoroTimerCommand : StationCommand
{
    public override string Name => "reset-fluoro-timer";

    public override string Summary => "silence the fluoro timer's alarm (it latches at every 5 minutes of fluoro)";

    public override string Usage => "usage: cathlab reset-fluoro-timer [connection options]\n" + StationTarget.OptionsUsage;

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options) => async (station, output, cancellation) =>
    {
        var reply = await station.Control.ResetFluoroTimerAsync(new ResetFluoroTimerRequest(), station.Call(cancellation));
        output.WriteLine(reply.WasSounding ? "fluoro timer alarm silenced" : "the fluoro timer alarm was not on");
        return ExitCodes.Success;
    };
}
