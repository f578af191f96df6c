using CathLab.Console.Recording;
using CathLab.Console.Video;
using CathLab.Contracts.Client;
using CathLab.LiveFeed.Protocol;
using Grpc.Core;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab observe</c>: watches a live exam over gRPC, prints live statistics every second and
/// can record what it receives: JPEG frames into an MJPEG AVI, VP8 video (<c>--codec vp8</c>, decoded with libvpx
/// for the statistics) as it came into WebM.</summary>
public sealed class ObserveCommand : ICommand
{
    private static readonly string[] Valued = ["server", "token", "exam", "tier", "max-fps", "codec", "record", "record-fps", "duration"];
    private static readonly string[] Switches = ["insecure", "quiet"];

    public string Name => "observe";

    public string Summary => "watch a live exam: statistics while it runs, optional recording to an AVI (JPEG) or WebM (VP8)";

    public string Usage => """
        usage: cathlab observe --server URL --token TOKEN --exam EXAM_ID [options]
          --server URL        the station, e.g. https://station:5001 or http://127.0.0.1:5000 (HTTP/2 without TLS)
          --token TOKEN       an observer or technician token (or set CATHLAB_TOKEN)
          --exam EXAM_ID      the exam to watch
          --tier TIER         best tier wanted: lossless, diagnostic (default) or preview
          --max-fps N         cap the frame rate (0 = no cap; with vp8 it only steers the station's choice of rung)
          --codec CODEC       jpeg (default: JPEG or PNG frames of the tier) or vp8 (the station's shared VP8 video,
                              decoded here; pictures/s, bytes per frame and key frames are printed as well)
          --record FILE       jpeg: FILE.avi, the received frames as Motion-JPEG AVI (VLC, ffplay open it);
                              vp8: FILE.webm, the VP8 frames as received (no re-encode); a change of size starts
                              FILE-2.webm, FILE-3.webm, ... (one size per WebM track)
          --record-fps N      frame rate written into the recording (default 15; WebM keeps the frames' own times)
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
        bool video;
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
                Codec = ParseCodec(o.String("codec") ?? "jpeg"),
            };
            video = request.Codec == ImageEncoding.Vp8;
            record = o.String("record");
            string extension = video ? ".webm" : ".avi";
            if (record is not null && !record.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"--record must name an {extension} file with --codec {(video ? "vp8" : "jpeg")}");
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
        using var recorder = record is null || video ? null : new AviRecorder(record, recordFps);
        using var webm = record is not null && video ? new WebMRecording(record, (int)Math.Round(recordFps)) : null;
        using var receiver = video ? new Vp8FrameReceiver(() => AskForKeyFrame(observer, stop.Token), TimeProvider.System) : null;
        using var ticker = quiet ? null : new Timer(_ => output.WriteLine(Line(observer, receiver)), null, 1000, 1000);
        Action<LiveFrame> onFrame = receiver is null
            ? frame => recorder?.Write(frame)
            : frame =>
            {
                if (receiver.Receive(frame)) webm?.Write(frame);
            };
        int exit = ExitCodes.Success;
        try
        {
            await observer.RunAsync(request, onFrame, e => { if (!quiet) output.WriteLine($"event: {e}"); }, stop.Token);
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
        output.WriteLine($"summary: {Line(observer, receiver)}");
        if (recorder is not null) output.WriteLine($"recorded {recorder.FramesWritten} frames to {record}");
        if (webm is not null) output.WriteLine($"recorded {webm.FramesWritten} frames to {(webm.Files.Count == 0 ? record : string.Join(", ", webm.Files))}");
        return exit;
    }

    private static string Line(LiveFeedObserver observer, Vp8FrameReceiver? receiver) =>
        receiver is null ? observer.Statistics.ToString() : $"{observer.Statistics}  {receiver}";

    /// <summary>Sent beside the receiving loop; a request that cannot be written (the call is ending) is of no use any more.</summary>
    private static void AskForKeyFrame(LiveFeedObserver observer, CancellationToken cancellation) =>
        _ = observer.RequestKeyFrameAsync(cancellation).ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);

    private static ImageEncoding ParseCodec(string text) => text.ToLowerInvariant() switch
    {
        "jpeg" => ImageEncoding.Unspecified, // as before the codec was asked for: JPEG tiers
        "vp8" => ImageEncoding.Vp8,
        _ => throw new UsageException($"unknown codec '{text}' (jpeg or vp8)"),
    };

    private static Tier ParseTier(string text) => text.ToLowerInvariant() switch
    {
        "lossless" => Tier.Lossless,
        "diagnostic" => Tier.Diagnostic,
        "preview" => Tier.Preview,
        _ => throw new UsageException($"unknown tier '{text}' (lossless, diagnostic or preview)"),
    };
}
