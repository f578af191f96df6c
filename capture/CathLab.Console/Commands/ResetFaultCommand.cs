using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab reset-fault</c>: clears a generator fault once its cause is gone.</summary>
public sealed class ResetFaultCommand : StationCommand
{
    public override string Name => "reset-fault";

    public override string Summary => "clear a generator fault once its cause is gone";

    public override string Usage => "usage: cathlab reset-fault [connection options]\n" + StationTarget.OptionsUsage;

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options) => async (station, output, cancellation) =>
    {
        await station.Control.ResetFaultAsync(new ResetFaultRequest(), station.Call(cancellation));
        output.WriteLine("fault reset");
        return ExitCodes.Success;
    };
}
