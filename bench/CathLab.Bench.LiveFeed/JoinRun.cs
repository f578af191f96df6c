using System.Diagnostics;
using System.Net;
using CathLab.Contracts;
using CathLab.Contracts.Client;
using CathLab.LiveFeed;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Tests.Support;
using CathLab.Video;
using Microsoft.Extensions.DependencyInjection;

namespace CathLab.Bench.LiveFeed;

/// <summary>Late joiners of a VP8 watch (gRPC, the default ladder), one after another while display frames are published:
/// for each join, from the moment the observer starts (a new channel, so its connection setup is counted) to its first
/// message, its first frame and its first picture (a VP8 frame decoded, or a JPEG), and how the first frame's time is
/// spent: from the join to the display frame it was made from being ready (negative: a frame older than the join),
/// ready to sent at the station, and sent to received. Loopback and through the throttling relay.</summary>
internal static class JoinRun
{
    private const string Token = "bench-join-token";
    private const string Exam = "BENCH-JOIN";

    public static async Task<int> RunAsync(ProcessedFrameSource source, double[] kbpsList, TimeSpan delay, double[] fpsList, int joins)
    {
        var frames = DisplayFramePublisher.Capture(source, 16);
        Console.WriteLine($"{joins} joins per row, one at a time, each a new gRPC channel asking for VP8; 1024² display frames; {Environment.ProcessorCount} CPUs");
        Console.WriteLine();
        Console.WriteLine("| link | display fps | join → first picture p50 / p99 / max ms | join → first message p50 ms | first frame: join → its frame ready p50 ms | ready → sent p50 ms | sent → received p50 ms | first frames: key / JPEG / other |");
        Console.WriteLine("| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |");
        foreach (double fps in fpsList)
        foreach (double kbps in kbpsList)
        {
            var joinsDone = await OneRowAsync(frames, kbps, delay, fps, joins);
            string link = kbps <= 0 ? "loopback" : $"{kbps:F0} kbit/s + {delay.TotalMilliseconds:F0} ms";
            Console.WriteLine($"| {link} | {fps:F1} | {Summary(joinsDone)}");
        }
        return 0;
    }

    private static string Summary(List<Join> joins)
    {
        double P(IEnumerable<double> values, double q)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * q))];
        }
        var done = joins.Where(j => j.PictureMs > 0).ToList();
        return $"{P(done.Select(j => j.PictureMs), 0.5):F0} / {P(done.Select(j => j.PictureMs), 0.99):F0} / {done.Max(j => j.PictureMs):F0} | " +
            $"{P(done.Select(j => j.FirstMessageMs), 0.5):F0} | {P(done.Select(j => j.ReadyAfterJoinMs), 0.5):F0} | {P(done.Select(j => j.StationMs), 0.5):F0} | " +
            $"{P(done.Select(j => j.TransferMs), 0.5):F0} | {done.Count(j => j.FirstKind == "key")} / {done.Count(j => j.FirstKind == "jpeg")} / {done.Count(j => j.FirstKind == "other")} |";
    }

    private sealed class Join
    {
        public double FirstMessageMs, PictureMs, ReadyAfterJoinMs, StationMs, TransferMs;
        public string FirstKind = "";
    }

    private static async Task<List<Join>> OneRowAsync((ushort[] Processed, byte[] Display)[] frames, double kbps, TimeSpan delay, double fps, int joins)
    {
        var (app, port) = await BenchHost.StartAsync(Token, Exam);
        await using var _ = app;
        var hub = app.Services.GetRequiredService<LiveFeedHub>();
        hub.BeginExam(Exam);
        hub.PublishRunStarted("BENCH-JOIN/run-1", "fluoro", fps);
        await using var relay = kbps > 0 ? new ThrottlingRelay(new IPEndPoint(IPAddress.Loopback, port), kbps * 1000, delay) : null;
        var address = new Uri($"http://127.0.0.1:{relay?.Port ?? port}");
        using var stop = new CancellationTokenSource();
        var publishing = Task.Run(() => DisplayFramePublisher.Publish(hub, frames, fps, stop.Token));
        await Task.Delay(1000);
        var random = new Random(15);
        var results = new List<Join>();
        for (int i = 0; i < joins; i++)
        {
            await Task.Delay(300 + random.Next(0, 400)); // the previous joiner gone, a different phase against the frames
            results.Add(await JoinOnceAsync(address));
        }
        stop.Cancel();
        await publishing;
        return results;
    }

    private static async Task<Join> JoinOnceAsync(Uri address)
    {
        var join = new Join();
        using var decoder = new VideoDecoder(VideoCodec.Vp8);
        var grey = new byte[ProcessedFrameSource.Side * ProcessedFrameSource.Side];
        using var watch = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        long startUs = UnixClock.NowMicroseconds();
        var clock = Stopwatch.StartNew();
        using var channel = LiveFeedObserver.CreateChannel(address);
        var observer = new LiveFeedObserver(channel, Token);
        void FirstMessage()
        {
            if (join.FirstMessageMs == 0) join.FirstMessageMs = clock.Elapsed.TotalMilliseconds;
        }
        void OnFrame(LiveFrame frame)
        {
            FirstMessage();
            if (join.PictureMs > 0) return;
            bool shown = frame.Encoding != ImageEncoding.Vp8 || decoder.Decode(frame.Data.Span, grey).HasPicture;
            if (join.FirstKind == "")
            {
                long receivedUs = UnixClock.NowMicroseconds();
                join.FirstKind = frame.Encoding != ImageEncoding.Vp8 ? "jpeg" : frame.KeyFrame ? "key" : "other";
                join.ReadyAfterJoinMs = (frame.ReadyUnixUs - startUs) / 1000.0;
                join.StationMs = (frame.SentUnixUs - frame.ReadyUnixUs) / 1000.0;
                join.TransferMs = (receivedUs - frame.SentUnixUs) / 1000.0;
            }
            if (!shown) return;
            join.PictureMs = clock.Elapsed.TotalMilliseconds;
            watch.Cancel();
        }
        try
        {
            await observer.RunAsync(new WatchRequest { ExamId = Exam, BestTier = Tier.Diagnostic, Codec = ImageEncoding.Vp8, ClientName = "bench join" },
                OnFrame, _ => FirstMessage(), watch.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or Grpc.Core.RpcException)
        {
        }
        return join;
    }
}
