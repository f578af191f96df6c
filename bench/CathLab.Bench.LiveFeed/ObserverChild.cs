using System.Globalization;
using CathLab.Contracts.Client;
using CathLab.LiveFeed.Protocol;

namespace CathLab.Bench.LiveFeed;

/// <summary>The observers' side of a run, in a process of its own as remote observers would be: their receive
/// path allocates every frame's bytes (0.5 MB at the diagnostic tier), and in the station's process the GC
/// pauses this caused stopped the encoder and the publishing thread too (346 ms of pauses in 8 s with 8 observers).
/// Watches until its standard input closes, then writes one line per frame received (last-image holds left out).</summary>
internal static class ObserverChild
{
    public const string Command = "observer-child";

    /// <summary>A last argument that makes every observer ask for the preview tier at most (the fan-out benchmark's many observers).</summary>
    public const string PreviewOption = "--preview";

    public static async Task<int> RunAsync(Uri address, int observers, int lossless, string token, string exam, bool preview = false)
    {
        using var stop = new CancellationTokenSource();
        var channels = Enumerable.Range(0, observers).Select(_ => LiveFeedObserver.CreateChannel(address)).ToArray();
        var clients = channels.Select(c => new LiveFeedObserver(c, token, keepLatencies: true)).ToArray();
        // The first `lossless` observers ask for the lossless tier, the others for the diagnostic tier.
        var runs = clients.Select((c, i) => Task.Run(() => c.RunAsync(new WatchRequest { ExamId = exam, BestTier = i < lossless ? Tier.Lossless : preview ? Tier.Preview : Tier.Diagnostic }, null, null, stop.Token))).ToArray();
        Console.Out.WriteLine("watching");
        Console.Out.Flush();
        await Console.In.ReadToEndAsync();
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
        foreach (var f in clients.SelectMany(c => c.Statistics.Timeline()))
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{f.ReceivedUs} {f.LatencyMs:R} {f.Level} {f.FrameNumber} {f.StationMs:R}"));
        return 0;
    }
}
