using CathLab.Contracts;
using System.Diagnostics;
using System.Net;
using CathLab.LiveFeed;
using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Frames;
using CathLab.Security.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CathLab.Bench.LiveFeed;

/// <summary>One configuration: a live feed on loopback, frames processed and published at a fixed rate,
/// N gRPC observers in another process; latency from a processed frame being ready (PublishFrame) to its arrival at the observer.
/// Everything is counted over the measured window only (after the warm-up).</summary>
internal static class LatencyRun
{
    private const string Token = "bench-observer";
    private const string Exam = "BENCH";

    /// <summary>Over the whole run and all observers: frames the encoder offered them (their exam's frames while they
    /// watched), frames they received, and the frames the sessions counted lost or skipped.</summary>
    public sealed record FrameAccounting(long Offered, long Received, long Lost, long Skipped)
    {
        public long Unaccounted => Offered - Received - Lost - Skipped;
    }

    public sealed record Result(double Fps, int Observers, FrameAccounting Accounting, long Offered, long DroppedBeforeEncoder, double MeanReceivedPerObserver,
        double P50Ms, double P99Ms, double MaxMs, string Levels, double MeanProcessMs, PublishTimings Publish, double EncoderBytesPerFrame,
        double StationP99Ms, double TransportP99Ms, int Gen0, int Gen1, int Gen2, double GcPauseMs, long SizeProbes, string Slowest);

    /// <summary>After publishing stops, what is still queued or in flight gets this long to arrive before the counts are read.</summary>
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(3);

    public static async Task<Result> RunAsync(ProcessedFrameSource source, double fps, int observers, int lossless, TimeSpan duration, TimeSpan warmup)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? grpc = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => { grpc = l; l.Protocols = HttpProtocols.Http2; }));
        builder.Services.AddCathLabLiveFeed(new LiveFeedOptions { Tokens = [new TokenGrant { Subject = "bench", Token = Token, Exams = [Exam] }] });
        await using var app = builder.Build();
        app.MapCathLabLiveFeed();
        await app.StartAsync();
        var hub = app.Services.GetRequiredService<LiveFeedHub>();
        hub.BeginExam(Exam);
        var address = new Uri($"http://127.0.0.1:{grpc!.IPEndPoint!.Port}");

        using var observerProcess = ObserverProcess.Start(address, observers, lossless, Token, Exam);

        var window = new WarmupMark(hub);
        long measureFromUs = UnixClock.NowMicroseconds() + (long)warmup.TotalMicroseconds;
        var publish = new PublishTimings();
        long processTicks = await Task.Run(() => Pace(source, hub, fps, warmup, duration, publish, window));
        var end = new WarmupMark(hub);
        long measureToUs = UnixClock.NowMicroseconds();
        await Task.Delay(Drain);
        var sessions = hub.Sessions.ToArray();
        var counted = (Offered: sessions.Sum(s => s.FramesOffered), Lost: sessions.Sum(s => s.FramesLost), Skipped: sessions.Sum(s => s.FramesSkipped));
        var received = await observerProcess.StopAsync();
        var accounting = new FrameAccounting(counted.Offered, received.Length, counted.Lost, counted.Skipped);

        // Frames published in the window, received by the end of the run: a frame published just before the
        // window and received in it is not counted, nor one published in it and received after it.
        // Latency and levels are the lossy observers' (the lossless ones' frames are level 0).
        var measured = received.Where(f => f.Level > 0 && f.ReceivedUs - f.LatencyMs * 1000 >= measureFromUs && f.ReceivedUs - f.LatencyMs * 1000 < measureToUs).ToArray();
        var latencies = measured.Select(f => f.LatencyMs).Order().ToArray();
        var station = measured.Select(f => f.StationMs).Order().ToArray();
        var transport = measured.Select(f => f.LatencyMs - f.StationMs).Order().ToArray();
        string slowest = string.Join(" ", measured.OrderByDescending(f => f.LatencyMs).Take(6).Select(f => $"#{f.FrameNumber}:{f.StationMs:F0}+{f.LatencyMs - f.StationMs:F0}"));
        var levels = measured.GroupBy(f => f.Level).OrderBy(g => g.Key).Select(g => $"L{g.Key}:{100.0 * g.Count() / measured.Length:F0}%");
        await app.StopAsync();
        long offered = end.Published - window.Published;
        return new Result(fps, observers, accounting, offered, end.Dropped - window.Dropped, (double)measured.Length / Math.Max(1, observers - lossless),
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.DefaultIfEmpty().Max(), string.Join(" ", levels),
            processTicks * 1000.0 / Stopwatch.Frequency / Math.Max(1, offered), publish,
            (double)(end.EncoderAllocated - window.EncoderAllocated) / Math.Max(1, end.Encoded - window.Encoded),
            Percentile(station, 0.99), Percentile(transport, 0.99), end.Gen0 - window.Gen0, end.Gen1 - window.Gen1, end.Gen2 - window.Gen2,
            (end.GcPause - window.GcPause).TotalMilliseconds, end.SizeProbes - window.SizeProbes, slowest);
    }

    /// <summary>Publishes at the given rate for the warm-up and then the measured window; times PublishFrame in the
    /// window; returns the processing time spent in the window.</summary>
    private static long Pace(ProcessedFrameSource source, LiveFeedHub hub, double fps, TimeSpan warmup, TimeSpan duration, PublishTimings publish, WarmupMark window)
    {
        var clock = Stopwatch.StartNew();
        var total = warmup + duration;
        long n = 0;
        long processTicks = 0;
        bool measuring = false;
        while (clock.Elapsed < total)
        {
            double due = n / fps;
            double wait = due - clock.Elapsed.TotalSeconds;
            if (wait > 0.002) Thread.Sleep(TimeSpan.FromSeconds(wait - 0.001));
            while (clock.Elapsed.TotalSeconds < due) Thread.SpinWait(50);
            if (!measuring && clock.Elapsed >= warmup)
            {
                measuring = true;
                window.Take();
            }
            long t0 = Stopwatch.GetTimestamp();
            var (number, processed, display) = source.Next();
            if (measuring) processTicks += Stopwatch.GetTimestamp() - t0;
            var info = LiveFrameInfo.Square(number, ProcessedFrameSource.Side, 14);
            if (measuring) publish.Time(() => hub.PublishFrame(info, processed, display));
            else hub.PublishFrame(info, processed, display);
            n++;
        }
        return processTicks;
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    /// <summary>The hub's counters and the process's GC counts at one moment.</summary>
    private sealed class WarmupMark
    {
        private readonly LiveFeedHub _hub;

        public WarmupMark(LiveFeedHub hub)
        {
            _hub = hub;
            Take();
        }

        public long Published { get; private set; }

        public long Dropped { get; private set; }

        public long Encoded { get; private set; }

        public long EncoderAllocated { get; private set; }

        public long SizeProbes { get; private set; }

        public int Gen0 { get; private set; }

        public int Gen1 { get; private set; }

        public int Gen2 { get; private set; }

        public TimeSpan GcPause { get; private set; }

        public void Take()
        {
            var c = _hub.Counters;
            (Published, Dropped, Encoded) = (c.Published, c.DroppedBeforeEncoder, c.Encoded);
            EncoderAllocated = _hub.EncoderAllocatedBytes;
            SizeProbes = _hub.SizeProbes;
            (Gen0, Gen1, Gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            GcPause = GC.GetTotalPauseDuration();
        }
    }
}
