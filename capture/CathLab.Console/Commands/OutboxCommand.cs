using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab outbox [--retry ID [--to AE]]</c>: what publishing holds, or one failed object offered again.</summary>
public sealed class OutboxCommand : StationCommand
{
    public override string Name => "outbox";

    public override string Summary => "list what publishing holds, or offer a failed object again (--retry)";

    public override string Usage => """
        usage: cathlab outbox [--retry ID [--to AE_TITLE]]
          --retry ID          offer this failed object again
          --to AE_TITLE       to this configured peer instead of its own destination
        """ + StationTarget.OptionsUsage;

    protected override IReadOnlyCollection<string> Valued => ["retry", "to"];

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options)
    {
        if (!options.Has("retry"))
        {
            if (options.Has("to")) throw new UsageException("--to goes with --retry");
            return ListAsync;
        }
        var request = new RetryOutboxItemRequest { Id = options.Whole("retry", 0, 1, long.MaxValue) };
        if (options.String("to") is { } to) request.Destination = to;
        return async (station, output, cancellation) =>
        {
            await station.Control.RetryOutboxItemAsync(request, station.Call(cancellation));
            output.WriteLine($"outbox item {request.Id} offered again{(request.HasDestination ? " to " + request.Destination : "")}");
            return ExitCodes.Success;
        };
    }

    private static async Task<int> ListAsync(StationClient station, TextWriter output, CancellationToken cancellation)
    {
        var reply = await station.Control.ListOutboxAsync(new ListOutboxRequest(), station.Call(cancellation));
        if (reply.Items.Count == 0) output.WriteLine("the outbox is empty");
        foreach (var item in reply.Items) output.WriteLine(StationText.OutboxItem(item));
        return ExitCodes.Success;
    }
}
