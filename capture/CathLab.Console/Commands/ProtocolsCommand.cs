using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab protocols</c>: the acquisition protocols the station offers, the selected one marked.</summary>
public sealed class ProtocolsCommand : StationCommand
{
    public override string Name => "protocols";

    public override string Summary => "list the acquisition protocols (* marks the selected one)";

    public override string Usage => "usage: cathlab protocols [connection options]\n" + StationTarget.OptionsUsage;

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options) => async (station, output, cancellation) =>
    {
        var protocols = await station.Control.ListProtocolsAsync(new ListProtocolsRequest(), station.Call(cancellation));
        var status = await station.Control.GetStatusAsync(new GetStatusRequest(), station.Call(cancellation));
        foreach (var p in protocols.Protocols)
            output.WriteLine((status.HasSelectedProtocol && status.SelectedProtocol == p.Name ? "* " : "  ") + StationText.Protocol(p));
        return ExitCodes.Success;
    };
}
