using CathLab.Console.Recording;
using CathLab.Contracts.Client;
using CathLab.LiveFeed.Protocol;
using Grpc.Core;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab observe</c>: watches a live exam over gRPC, prints live statistics every second and
/// can record what it receives into an MJPEG AVI.</summary>
public sealed class ObserveCommand : ICommand
{
    private static readonly string[] Valued = ["server", "token", "exam", "tier", "max-fps", "record", "record-fps", "duration"];
    private static readonly string[] Switches = ["insecure", "quiet"];

    public string Name => "observe";

    public string Summary => "watch a live exam: statistics while it runs, optional recording to an AVI";

    public string Usage => """
        usage: cathlab observe --server URL --token TOKEN --exam EXAM_ID [options]
          --server URL        the station, e.g. https://station:5001 or http://127.0.0.1:5000 (HTTP/2 without TLS)
          --token TOKEN       an observer or technician token (or set CATHLAB_TOKEN)
          --exam EXAM_ID      the exam to watch
          --tier TIER         best tier wanted: lossless, diagnostic (default) or preview
          --max-fps N         cap the frame rate (0 = no cap)
          --record FILE.avi   record the received frames as Motion-JPEG AVI (VLC, ffplay open it)
          --record-fps N      frame rate written into the recording (default 15)
          --duration SECONDS  stop after this long (default: until Ctrl+C or the station ends the call)
          --insecure          accept any TLS certificate (testing only)
          --quiet             no statistics lines, only the summary
        """;

    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        output = TextWriter.Synchronized(output);
        WatchRequest request;
        Uri server;
        string token;
        string? record;
        double recordFps, duration;
        bool insecure, quiet;
        try
        {
            var o = new OptionReader(args, Valued, Switches);
            if (!Uri.TryCreate(o.Required("server"), UriKind.Absolute, out server!) || server.Scheme is not ("http" or "https"))
                throw new UsageException("--server must be an http:// or https:// URL");
            token = o.String("token") ?? Environment.GetEnvironmentVariable("CATHLAB_TOKEN") ?? throw new UsageException("--token is required (or set CATHLAB_TOKEN)");
            request = new WatchRequest
            {
                ExamId = o.Required("exam"),
                BestTier = ParseTier(o.String("tier") ?? "diagnostic"),
                MaxFps = (float)o.Number("max-fps", 0, 0, 120),
                ClientName = "cathlab observe",
            };
            record = o.String("record");
            if (record is not null && !record.EndsWith(".avi", StringComparison.OrdinalIgnoreCase)) throw new UsageException("--record must name an .avi file");
            recordFps = o.Number("record-fps", 15, 1, 120);
            duration = o.Number("duration", 0, 0, 7 * 24 * 3600);
            insecure = o.Has("insecure");
            quiet = o.Has("quiet");
        }
        catch (UsageException e)
        {
            error.WriteLine($"cathlab observe: {e.Message}");
            error.WriteLine(Usage);
            return ExitCodes.Usage;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (duration > 0) stop.CancelAfter(TimeSpan.FromSeconds(duration));
        using var channel = LiveFeedObserver.CreateChannel(server, insecure);
        var observer = new LiveFeedObserver(channel, token);
        using var recorder = record is null ? null : new AviRecorder(record, recordFps);
        using var ticker = quiet ? null : new Timer(_ => output.WriteLine(observer.Statistics), null, 1000, 1000);
        int exit = ExitCodes.Success;
        try
        {
            await observer.RunAsync(request, frame => recorder?.Write(frame), e => { if (!quiet) output.WriteLine($"event: {e}"); }, stop.Token);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stop.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (RpcException e)
        {
            error.WriteLine($"cathlab observe: the station refused or ended the call: {e.StatusCode}: {e.Status.Detail}");
            exit = e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.InvalidArgument ? ExitCodes.Refused : ExitCodes.Failure;
        }
        ticker?.Dispose();
        output.WriteLine($"summary: {observer.Statistics}");
        if (recorder is not null) output.WriteLine($"recorded {recorder.FramesWritten} frames to {record}");
        return exit;
    }

    private static Tier ParseTier(string text) => text.ToLowerInvariant() switch
    {
        "lossless" => Tier.Lossless,
        "diagnostic" => Tier.Diagnostic,
        "preview" => Tier.Preview,
        _ => throw new UsageException($"unknown tier '{text}' (lossless, diagnostic or preview)"),
    };
}
