using System.Diagnostics;
using CathLab.LiveFeed;
using CathLab.LiveFeed.Frames;

namespace CathLab.Bench.LiveFeed;

/// <summary>Stands in for acquisition in the video benchmarks: a few processed frames kept, then published into a hub
/// at a fixed rate, cycled, until stopped.</summary>
internal static class DisplayFramePublisher
{
    public static (ushort[] Processed, byte[] Display)[] Capture(ProcessedFrameSource source, int count) =>
        Enumerable.Range(0, count).Select(_ =>
        {
            var (_, processed, display) = source.Next();
            return (Processed: (ushort[])processed.Clone(), Display: (byte[])display.Clone());
        }).ToArray();

    public static void Publish(LiveFeedHub hub, (ushort[] Processed, byte[] Display)[] frames, double fps, CancellationToken stop)
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
}
