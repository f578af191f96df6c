using System.Diagnostics;
using System.Net;
using CathLab.Contracts;
using CathLab.Contracts.Client;
using CathLab.LiveFeed;
using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Tests.Support;
using CathLab.LiveFeed.Video;
using CathLab.Video;
using CathLab.Video.Quality;
using Microsoft.Extensions.DependencyInjection;

namespace CathLab.Bench.LiveFeed;

/// <summary>A gRPC video observer (codec VP8, the default ladder) through the throttling relay at several rates with a
/// fixed delay each way: pictures shown per second, bytes per frame, SSIM of the decoded picture against the display
/// frame it was made from (box-averaged to the picture's size), delay behind live (ready → received) p50/p99, and
/// the rungs the observer was on. Then each rung's encode cost per picture on one thread (its CPU time).</summary>
internal static class VideoLinkRun
{
    private const string Token = "bench-video-token";
    private const string Exam = "BENCH-VIDEO";
    private const int SsimEvery = 5;

    public static async Task<int> RunAsync(ProcessedFrameSource source, double[] kbpsList, TimeSpan delay, double fps, TimeSpan warmUp, TimeSpan measured)
    {
        var frames = Enumerable.Range(0, 32).Select(_ =>
        {
            var (_, processed, display) = source.Next();
            return (Processed: (ushort[])processed.Clone(), Display: (byte[])display.Clone());
        }).ToArray();
        Console.WriteLine($"display frames: {frames.Length} distinct 1024² frames of the processing pipeline ({source.Backend}), published at {fps} fps; " +
            $"{warmUp.TotalSeconds} s warm-up (the observer climbs), {measured.TotalSeconds} s measured per link; {Environment.ProcessorCount} CPUs");
        Console.WriteLine();
        Console.WriteLine($"| link | pictures shown per s | rungs (share of pictures) | bytes per frame | kbit/s received | SSIM mean / worst | behind live p50 / p99 ms | key frames | refused (then key frame) |");
        Console.WriteLine("| --- | ---: | --- | ---: | ---: | --- | --- | ---: | ---: |");
        foreach (double kbps in kbpsList)
        {
            var row = await OneLinkAsync(frames, kbps, delay, fps, warmUp, measured);
            Console.WriteLine($"| {kbps:F0} kbit/s + {delay.TotalMilliseconds:F0} ms | {row}");
        }
        Console.WriteLine();
        EncodeCost(frames.Select(f => f.Display).ToArray());
        return 0;
    }

    private static async Task<string> OneLinkAsync((ushort[] Processed, byte[] Display)[] frames, double kbps, TimeSpan delay, double fps, TimeSpan warmUp, TimeSpan measured)
    {
        var (app, port) = await BenchHost.StartAsync(Token, Exam);
        await using var _ = app;
        var hub = app.Services.GetRequiredService<LiveFeedHub>();
        hub.BeginExam(Exam);
        await using var relay = new ThrottlingRelay(new IPEndPoint(IPAddress.Loopback, port), kbps * 1000, delay);
        using var stop = new CancellationTokenSource();
        var publishing = Task.Run(() => Publish(hub, frames, fps, stop.Token));
        var viewer = new Viewer();
        using var channel = LiveFeedObserver.CreateChannel(new Uri($"http://127.0.0.1:{relay.Port}"));
        var observer = new LiveFeedObserver(channel, Token);
        var watching = observer.RunAsync(new WatchRequest { ExamId = Exam, BestTier = Tier.Diagnostic, Codec = ImageEncoding.Vp8, ClientName = "bench" }, viewer.OnFrame, null, stop.Token);
        await Task.Delay(warmUp);
        viewer.Measuring = true;
        await Task.Delay(measured);
        viewer.Measuring = false;
        long refused = hub.Sessions.Sum(s => s.VideoFramesRefused);
        stop.Cancel();
        try
        {
            await watching;
        }
        catch (Exception e) when (e is OperationCanceledException or Grpc.Core.RpcException)
        {
        }
        await publishing;
        return viewer.Row(frames, measured, refused);
    }

    private static void Publish(LiveFeedHub hub, (ushort[] Processed, byte[] Display)[] frames, double fps, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        for (long n = 0; !stop.IsCancellationRequested; n++)
        {
            var due = TimeSpan.FromSeconds(n / fps);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero) Thread.Sleep(wait);
            var f = frames[n % frames.Length];
            hub.PublishFrame(LiveFrameInfo.Square(n, ProcessedFrameSource.Side, 14), f.Processed, f.Display);
        }
    }

    /// <summary>Decodes every frame as it comes; keeps every few pictures for SSIM after the run.</summary>
    private sealed class Viewer
    {
        private readonly VideoDecoder _decoder = new(VideoCodec.Vp8);
        private readonly byte[] _grey = new byte[ProcessedFrameSource.Side * ProcessedFrameSource.Side];
        private readonly List<double> _behindMs = [];
        private readonly Dictionary<int, int> _widths = [];
        private readonly List<(long Frame, int Size, byte[] Picture)> _samples = [];
        private long _pictures, _bytes, _frames, _keyFrames;

        public volatile bool Measuring;

        public void OnFrame(LiveFrame frame)
        {
            var result = _decoder.Decode(frame.Data.Span, _grey);
            if (!Measuring) return;
            _frames++;
            _bytes += frame.Data.Length;
            if (frame.KeyFrame) _keyFrames++;
            if (!result.HasPicture) return;
            _pictures++;
            _behindMs.Add((UnixClock.NowMicroseconds() - frame.ReadyUnixUs) / 1000.0);
            _widths[result.Width] = _widths.GetValueOrDefault(result.Width) + 1;
            if (_pictures % SsimEvery == 0) _samples.Add(((long)frame.FrameNumber, result.Width, _grey.AsSpan(0, result.Width * result.Height).ToArray()));
        }

        public string Row((ushort[] Processed, byte[] Display)[] frames, TimeSpan measured, long refused)
        {
            _decoder.Dispose();
            if (_pictures == 0) return "0 | - | - | - | - | - | 0 | " + refused + " |";
            var ssims = _samples.Select(s =>
            {
                var reference = new byte[s.Size * s.Size];
                BoxDownscale.Into(frames[s.Frame % frames.Length].Display, ProcessedFrameSource.Side, reference, s.Size);
                return Ssim.Compute(reference, s.Picture, s.Size, s.Size);
            }).ToList();
            _behindMs.Sort();
            string rungs = string.Join(", ", _widths.OrderBy(w => w.Key).Select(w => $"{w.Key}² {100.0 * w.Value / _pictures:F0} %"));
            return $"{_pictures / measured.TotalSeconds:F1} | {rungs} | {(double)_bytes / _frames:F0} | {_bytes * 8 / measured.TotalSeconds / 1000:F0} | " +
                $"{(ssims.Count > 0 ? $"{ssims.Average():F3} / {ssims.Min():F3}" : "-")} | {_behindMs[_behindMs.Count / 2]:F0} / {_behindMs[(int)(_behindMs.Count * 0.99)]:F0} | {_keyFrames} | {refused} |";
        }
    }

    /// <summary>Each rung of the default ladder encoding the display frames on this thread: CPU time per picture.</summary>
    private static void EncodeCost(byte[][] displays)
    {
        Console.WriteLine("| encoding | pictures | encode CPU ms per picture (one thread) p50 / p99 | share of one core at its frame rate |");
        Console.WriteLine("| --- | ---: | --- | ---: |");
        foreach (var option in VideoEncodingOption.Defaults)
        {
            using var encoder = new VideoEncoder(option.ToEncoderSettings());
            var picture = new byte[option.Size * option.Size];
            var costs = new List<double>();
            for (int i = 0; i < 160; i++)
            {
                BoxDownscale.Into(displays[i % displays.Length], ProcessedFrameSource.Side, picture, option.Size);
                long start = ThreadCpuClock.NowNanoseconds();
                encoder.Encode(picture).Release();
                if (i >= 32) costs.Add((ThreadCpuClock.NowNanoseconds() - start) / 1e6);
            }
            costs.Sort();
            double p50 = costs[costs.Count / 2];
            Console.WriteLine($"| {option.Size}² {option.TargetKbps} kbit/s {option.FramesPerSecond} fps | {costs.Count} | {p50:F2} / {costs[(int)(costs.Count * 0.99)]:F2} | {p50 * option.FramesPerSecond / 10:F1} % |");
        }
    }
}
