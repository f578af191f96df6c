using CathLab.Station.Protocol;
using Grpc.Core;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab status [--watch]</c>: the station's status line, once or as it changes.</summary>
public sealed class StatusCommand : StationCommand
{
    public override string Name => "status";

    public override string Summary => "the station's status line: exposure, technique, dose, tube heat, fluoro time, publishing";

    public override string Usage => """
        usage: cathlab status [--watch [--interval SECONDS] [--count N]] [connection options]
          --watch             keep the line up to date until Ctrl+C (rewritten in place on a terminal, one line per update otherwise)
          --interval SECONDS  how often the station sends it (default 0.5, 0.05 to 60)
          --count N           stop after N updates
        """ + StationTarget.OptionsUsage;

    protected override IReadOnlyCollection<string> Valued => ["interval", "count"];

    protected override IReadOnlyCollection<string> Switches => ["watch"];

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options)
    {
        if (!options.Has("watch"))
        {
            if (options.Has("interval") || options.Has("count")) throw new UsageException("--interval and --count go with --watch");
            return ShowOnceAsync;
        }
        double interval = options.Number("interval", 0.5, 0.05, 60);
        int count = (int)options.Whole("count", 0, 1, int.MaxValue);
        return (station, output, cancellation) => WatchAsync(station, output, interval, count, cancellation);
    }

    private static async Task<int> ShowOnceAsync(StationClient station, TextWriter output, CancellationToken cancellation)
    {
        var status = await station.Control.GetStatusAsync(new GetStatusRequest(), station.Call(cancellation));
        output.WriteLine(StationText.Status(status));
        if (status.Exam is not null) output.WriteLine(StationText.Exam(status.Exam));
        if (status.CurrentRun is not null) output.WriteLine(StationText.Run(status.CurrentRun));
        return ExitCodes.Success;
    }

    private static async Task<int> WatchAsync(StationClient station, TextWriter output, double interval, int count, CancellationToken cancellation)
    {
        // On a terminal the line is rewritten in place; anywhere else (a file, a pipe, a test) each update is a line.
        bool inPlace = ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected;
        using var call = station.Control.WatchStatus(new WatchStatusRequest { IntervalSeconds = interval }, station.Call(cancellation));
        int shown = 0, width = 0;
        try
        {
            while (await call.ResponseStream.MoveNext(cancellation))
            {
                string line = StationText.Status(call.ResponseStream.Current, StationText.WatchWidth);
                if (inPlace)
                {
                    output.Write("\r" + line.PadRight(width));
                    width = line.Length;
                }
                else output.WriteLine(line);
                if (++shown == count) break;
            }
        }
        catch (Exception e) when (cancellation.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Ctrl+C is how a watch normally ends.
        }
        if (inPlace) output.WriteLine();
        return ExitCodes.Success;
    }
}
