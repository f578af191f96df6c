using CathLab.Contracts.Client;
using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Protocol;
using CathLab.Video;

namespace CathLab.LiveFeed.Tests.Support;

/// <summary>An observer joining an exam part-way: runs published into the hub, a watch whose frames are kept, and the
/// decode of a kept VP8 frame.</summary>
internal static class JoinRig
{
    public static void PublishRun(LiveFeedHub hub, long first, int frames, bool hold)
    {
        var set = SimulatedFrameSet.Full;
        hub.PublishRunStarted("RUN-1", "fluoro", 15);
        for (long n = first; n < first + frames; n++)
        {
            while (!hub.PublishFrame(LiveFrameInfo.Square(n, set.Side, 14), set.Raw[(int)(n % set.Count)], set.Display[(int)(n % set.Count)])) Thread.Sleep(5);
        }
        if (!hold) return;
        long last = first + frames - 1;
        while (!hub.PublishFrame(LiveFrameInfo.Square(last, set.Side, 14) with { LastImageHold = true }, set.Raw[(int)(last % set.Count)], set.Display[(int)(last % set.Count)])) Thread.Sleep(5);
        hub.PublishRunEnded("RUN-1", frames);
    }

    public static async Task UntilEncodedAsync(LiveFeedHub hub, CancellationToken ct)
    {
        while (hub.EncoderFramesDone < hub.Counters.Published - hub.Counters.DroppedBeforeEncoder) await Task.Delay(10, ct);
    }

    public static async Task<(List<LiveFrame> Frames, Task Watching, CancellationTokenSource Stop)> WatchAsync(LiveFeedTestServer server, Grpc.Net.Client.GrpcChannel channel,
        CancellationToken hang, ImageEncoding codec = ImageEncoding.Unspecified)
    {
        var frames = new List<LiveFrame>();
        var stop = CancellationTokenSource.CreateLinkedTokenSource(hang);
        var observer = new LiveFeedObserver(channel, LiveFeedTestServer.ObserverToken);
        int before = server.Hub.Sessions.Count;
        var watching = observer.RunAsync(new WatchRequest { ExamId = LiveFeedTestServer.Exam, BestTier = Tier.Preview, Codec = codec },
            f => { lock (frames) frames.Add(f.Clone()); }, null, stop.Token);
        while (server.Hub.Sessions.Count == before) await Task.Delay(10, hang);
        return (frames, watching, stop);
    }

    public static async Task UntilAsync(List<LiveFrame> frames, int count, CancellationToken ct)
    {
        while (true)
        {
            lock (frames) if (frames.Count >= count) return;
            await Task.Delay(10, ct);
        }
    }

    /// <summary>A watch and the frames it has received; disposing stops it.</summary>
    public sealed record Watch(Grpc.Net.Client.GrpcChannel Channel, List<LiveFrame> Frames, Task Watching, CancellationTokenSource Stop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Stop.Cancel();
            await Watching.ContinueWith(_ => { }, TaskScheduler.Default);
            Channel.Dispose();
        }
    }

    /// <summary>A run of frames 0–9 (and its hold when asked) published and encoded, then an observer joins.</summary>
    public static async Task<Watch> JoinAfterARunAsync(LiveFeedTestServer server, bool hold, ImageEncoding codec, CancellationToken hang)
    {
        PublishRun(server.Hub, 0, 10, hold);
        await UntilEncodedAsync(server.Hub, hang);
        var channel = LiveFeedObserver.CreateChannel(server.Address);
        var (frames, watching, stop) = await WatchAsync(server, channel, hang, codec);
        return new Watch(channel, frames, watching, stop);
    }

    /// <summary>Decodes one VP8 frame on a fresh decoder, as a joiner's decoder would.</summary>
    public static DecodeResult Decode(LiveFrame frame)
    {
        using var decoder = new VideoDecoder(VideoCodec.Vp8);
        return decoder.Decode(frame.Data.Span, new byte[frame.Width * frame.Height]);
    }
}
