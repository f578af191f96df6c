using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab protocol NAME</c>: selects the protocol the next pedal press uses.</summary>
public sealed class ProtocolCommand : StationCommand
{
    public override string Name => "protocol";

    public override string Summary => "select the protocol the next pedal press uses";

    public override string Usage => "usage: cathlab protocol NAME [--side R|L] [connection options]   (cathlab protocols lists them)\n"
        + SideOption.Usage + "\n" + StationTarget.OptionsUsage;

    protected override int Words => 1;

    protected override IReadOnlyCollection<string> Valued => [SideOption.Name];

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options)
    {
        var request = new SelectProtocolRequest { Name = words[0], Laterality = SideOption.Read(options) ?? "" };
        return async (station, output, cancellation) =>
        {
            var reply = await station.Control.SelectProtocolAsync(request, station.Call(cancellation));
            output.WriteLine($"selected protocol {reply.Selected}{(request.Laterality.Length > 0 ? $", side {request.Laterality}" : "")}");
            return ExitCodes.Success;
        };
    }
}
