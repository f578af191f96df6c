using System.Diagnostics;
using System.Net;
using CathLab.LiveFeed;
using CathLab.LiveFeed.Client;
using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Publishing;
using CathLab.LiveFeed.Security;
using CathLab.LiveFeed.Tiers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CathLab.Bench.LiveFeed;

/// <summary>One configuration: a live feed on loopback, frames processed and published at a fixed rate,
/// N gRPC observers; latency from a processed frame being ready (PublishFrame) to its arrival at the observer.</summary>
internal static class LatencyRun
{
    private const string Token = "bench-observer";
    private const string Exam = "BENCH";

    public sealed record Result(double Fps, int Observers, long Published, long DroppedBeforeEncoder, double MeanReceivedPerObserver,
        double P50Ms, double P99Ms, double MaxMs, string Levels, double MeanProcessMs, double PublishP99Ms, double PublishMaxMs, double[] AverageBytes, double EncoderBytesPerFrame);

    public static async Task<Result> RunAsync(ProcessedFrameSource source, double fps, int observers, TimeSpan duration, TimeSpan warmup)
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

        using var stop = new CancellationTokenSource();
        var channels = Enumerable.Range(0, observers).Select(_ => LiveFeedObserver.CreateChannel(address)).ToArray();
        var clients = channels.Select(c => new LiveFeedObserver(c, Token, keepLatencies: true)).ToArray();
        var runs = clients.Select(c => Task.Run(() => c.RunAsync(new WatchRequest { ExamId = Exam, BestTier = Tier.Diagnostic }, null, null, stop.Token))).ToArray();

        long startUs = UnixClock.NowMicroseconds();
        long measureFromUs = startUs + (long)warmup.TotalMicroseconds;
        var publishMs = new List<double>();
        long encodedAtWarmup = 0, allocatedAtWarmup = 0;
        var sampleAfterWarmup = Task.Delay(warmup).ContinueWith(_ => { encodedAtWarmup = hub.Counters.Encoded; allocatedAtWarmup = hub.EncoderAllocatedBytes; });
        var (published, processTicks) = await Task.Run(() => Pace(source, hub, fps, duration + warmup, publishMs));
        await sampleAfterWarmup;
        double encoderBytesPerFrame = (double)(hub.EncoderAllocatedBytes - allocatedAtWarmup) / Math.Max(1, hub.Counters.Encoded - encodedAtWarmup);
        var publishSorted = publishMs.Order().ToArray();
        stop.Cancel();
        foreach (var r in runs)
        {
            try
            {
                await r;
            }
            catch (Exception e) when (e is OperationCanceledException or Grpc.Core.RpcException)
            {
            }
        }
        foreach (var c in channels) c.Dispose();

        var measured = clients.SelectMany(c => c.Statistics.Timeline()).Where(f => f.ReceivedUs >= measureFromUs).ToArray();
        var latencies = measured.Select(f => f.LatencyMs).Order().ToArray();
        var levels = measured.GroupBy(f => f.Level).OrderBy(g => g.Key).Select(g => $"L{g.Key}:{100.0 * g.Count() / measured.Length:F0}%");
        await app.StopAsync();
        return new Result(fps, observers, published, hub.Counters.DroppedBeforeEncoder, (double)measured.Length / observers,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.DefaultIfEmpty().Max(), string.Join(" ", levels),
            processTicks * 1000.0 / Stopwatch.Frequency / Math.Max(1, published), Percentile(publishSorted, 0.99), publishSorted.DefaultIfEmpty().Max(), StreamVariant.All.Select(hub.AverageBytes).ToArray(), encoderBytesPerFrame);
    }

    private static (long Published, long ProcessTicks) Pace(ProcessedFrameSource source, LiveFeedHub hub, double fps, TimeSpan total, List<double> publishMs)
    {
        var clock = Stopwatch.StartNew();
        long n = 0;
        long processTicks = 0;
        while (clock.Elapsed < total)
        {
            double due = n / fps;
            double wait = due - clock.Elapsed.TotalSeconds;
            if (wait > 0.002) Thread.Sleep(TimeSpan.FromSeconds(wait - 0.001));
            while (clock.Elapsed.TotalSeconds < due) Thread.SpinWait(50);
            long t0 = Stopwatch.GetTimestamp();
            var (number, processed, display) = source.Next();
            processTicks += Stopwatch.GetTimestamp() - t0;
            long t1 = Stopwatch.GetTimestamp();
            hub.PublishFrame(LiveFrameInfo.Square(number, ProcessedFrameSource.Side, 14), processed, display);
            publishMs.Add((Stopwatch.GetTimestamp() - t1) * 1000.0 / Stopwatch.Frequency);
            n++;
        }
        return (n, processTicks);
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
