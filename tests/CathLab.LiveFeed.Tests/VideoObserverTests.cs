using System.Net;
using CathLab.Contracts.Client;
using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Tests.Support;
using CathLab.LiveFeed.Video;
using CathLab.LiveFeed.Web;
using CathLab.Video;

namespace CathLab.LiveFeed.Tests;

/// <summary>Video observers (codec VP8) over real gRPC on loopback, fed from the simulator's frames; every frame
/// received is decoded with libvpx, as <c>cathlab observe</c> would.</summary>
public sealed class VideoObserverTests : IAsyncLifetime
{
    private static readonly VideoEncodingOption SmallFullRate = new() { Size = 256, TargetKbps = 300, FramesPerSecond = 15 };
    private LiveFeedTestServer? _server;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    private async Task<LiveFeedTestServer> StartAsync(params VideoEncodingOption[] ladder) =>
        _server = await LiveFeedTestServer.StartAsync(ladder.Length == 0
            ? new LiveFeedOptions { Tokens = LiveFeedTestServer.Tokens }
            : new LiveFeedOptions { Tokens = LiveFeedTestServer.Tokens, VideoEncodings = ladder });

    private static WatchRequest VideoWatch => new() { ExamId = LiveFeedTestServer.Exam, BestTier = Tier.Diagnostic, Codec = ImageEncoding.Vp8, ClientName = "test" };

    private static async Task WaitFor(Func<bool> condition, Func<string> what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what()}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Four_video_observers_share_one_encode_per_picture_and_all_decode_pictures()
    {
        var server = await StartAsync(SmallFullRate);
        using var pump = new FramePump(server.Hub, SimulatedFrameSet.Full, 15).Start();
        var viewers = Enumerable.Range(0, 4).Select(_ => new DecodingViewer(server.Address)).ToArray();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var runs = viewers.Select(v => v.RunAsync(VideoWatch, stop.Token)).ToArray();
        await WaitFor(() => viewers.All(v => v.Pictures >= 20), () => "20 pictures at each of 4 video observers");
        stop.Cancel();
        foreach (var r in runs) await Assert.ThrowsAnyAsync<Exception>(() => r);

        long encoded = server.Hub.Video.PicturesEncoded;
        long received = viewers.Sum(v => v.Frames);
        Assert.True(encoded <= pump.Accepted, $"{encoded} pictures encoded for {pump.Accepted} display frames");
        Assert.True(received > 2 * encoded, $"4 observers received {received} frames of {encoded} encoded: an encode was not shared");
        Assert.All(viewers, v => Assert.Equal(0, v.Rejected + v.InterFramesAfterAGap));
        Assert.All(viewers, v => Assert.Equal((256, 256), v.PictureSize));
        Assert.All(Tiers.StreamVariant.All, v => Assert.Equal(0, server.Hub.EncodesOf(v))); // no JPEG or PNG made for video observers
    }

    [Fact]
    public async Task A_late_joiners_first_frame_is_a_key_frame()
    {
        var server = await StartAsync(SmallFullRate with { KeyFrameInterval = TimeSpan.FromSeconds(10) });
        using var pump = new FramePump(server.Hub, SimulatedFrameSet.Full, 15).Start();
        var first = new DecodingViewer(server.Address);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var firstRun = first.RunAsync(VideoWatch, stop.Token);
        await WaitFor(() => first.Frames >= 10, () => "10 frames at the first observer");
        long keysBefore = server.Hub.Video[0].KeyFramesEncoded;
        var late = new DecodingViewer(server.Address);
        var lateRun = late.RunAsync(VideoWatch, stop.Token);
        await WaitFor(() => late.Pictures >= 3, () => "3 pictures at the late joiner");
        stop.Cancel();
        await Assert.ThrowsAnyAsync<Exception>(() => firstRun);
        await Assert.ThrowsAnyAsync<Exception>(() => lateRun);

        Assert.True(late.FirstFrameWasKey, "the late joiner's first frame was an inter frame");
        Assert.Equal(0, late.Rejected + late.AwaitingKeyFrame + late.InterFramesAfterAGap);
        Assert.True(server.Hub.Video[0].KeyFramesEncoded > keysBefore, "no key frame was made for the joiner");
        Assert.True(first.Frames >= 10 && first.Rejected == 0);
    }

    [Fact]
    public async Task An_observer_whose_queue_refuses_an_inter_frame_resumes_at_a_key_frame_and_every_frame_it_gets_decodes()
    {
        // The rung needs several times what the relay carries, so the observer's queue fills and refuses frames.
        var server = await StartAsync(SmallFullRate with { Size = 1024, TargetKbps = 1500, KeyFrameInterval = TimeSpan.FromSeconds(10) });
        // 200 kbit/s: an eighth of the rung's rate fills the queue at once, and 20 frames cross in about 15 s (at 56 kbit/s
        // the 30 frames this waited for took 70 s of the test run).
        await using var relay = new ThrottlingRelay(new IPEndPoint(IPAddress.Loopback, server.Address.Port), 200_000);
        using var pump = new FramePump(server.Hub, SimulatedFrameSet.Full, 15).Start();
        var viewer = new DecodingViewer(new Uri($"http://127.0.0.1:{relay.Port}"));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var run = viewer.RunAsync(VideoWatch, stop.Token);
        await WaitFor(() => server.Hub.Sessions.Any(s => s.VideoFramesRefused > 0), () => $"a refused video frame (frames {viewer.Frames}, bytes {viewer.Bytes}, relayed {relay.ForwardedBytes})");
        await WaitFor(() => viewer.Frames >= 20 && viewer.GapsClosedByKeyFrames > 0, () => $"20 frames at the observer, a gap closed by a key frame ({viewer.Frames} frames)", 90);
        var session = server.Hub.Sessions.Single();
        stop.Cancel();
        await Assert.ThrowsAnyAsync<Exception>(() => run);

        Assert.True(session.VideoFramesRefused > 0);
        Assert.True(viewer.FirstFrameWasKey);
        Assert.Equal(0, viewer.InterFramesAfterAGap);
        Assert.True(viewer.GapsClosedByKeyFrames > 0, "no frame was missing before a key frame");
        Assert.Equal(0, viewer.Rejected + viewer.AwaitingKeyFrame);
        Assert.True(viewer.KeyFrames >= 2, $"{viewer.KeyFrames} key frames");
    }

    [Fact]
    public async Task A_key_frame_the_observer_asks_for_comes_within_a_few_frames()
    {
        var server = await StartAsync(SmallFullRate with { KeyFrameInterval = TimeSpan.FromSeconds(10) });
        using var pump = new FramePump(server.Hub, SimulatedFrameSet.Full, 15).Start();
        var viewer = new DecodingViewer(server.Address);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var run = viewer.RunAsync(VideoWatch, stop.Token);
        await WaitFor(() => viewer.Frames >= 15, () => "15 frames");
        long askedAt = viewer.Frames;
        await viewer.Observer!.RequestKeyFrameAsync(stop.Token);
        await WaitFor(() => { lock (viewer.KeyFrameIndexes) return viewer.KeyFrameIndexes.Any(i => i >= askedAt); }, () => "the key frame asked for");
        long answered = server.Hub.Sessions.Sum(s => s.KeyFrameRequests);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<Exception>(() => run);

        // The joiner starts at a key frame: the join picture, then the rung's own key frame (or the rung's alone, when
        // the join came before the hub had a display frame to make a join picture of); then the one asked for: frames
        // already queued or in flight come first (at most the queue's and the window's), the 10 s interval's key frame
        // would be ~150 frames later.
        long[] keys;
        lock (viewer.KeyFrameIndexes) keys = [.. viewer.KeyFrameIndexes];
        Assert.Equal(0, keys[0]);
        Assert.All(keys.Where(i => i > 0 && i < askedAt), i => Assert.Equal(1, i));
        Assert.Equal(0, viewer.InterFramesAfterAGap);
        long after = keys.First(i => i >= askedAt) - askedAt;
        Assert.InRange(after, 0, Sessions.ObserverSession.VideoQueueCapacity + Sessions.ObserverSession.MaxInFlightVideoFrames + 2);
        Assert.Equal(1, answered);
    }

    [Fact]
    public async Task The_default_ladder_starts_a_video_observer_at_its_smallest_rung()
    {
        var server = await StartAsync();
        using var pump = new FramePump(server.Hub, SimulatedFrameSet.Full, 15).Start();
        var viewer = new DecodingViewer(server.Address);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var run = viewer.RunAsync(VideoWatch, stop.Token);
        await WaitFor(() => viewer.Pictures >= 5, () => "5 pictures");
        stop.Cancel();
        await Assert.ThrowsAnyAsync<Exception>(() => run);
        Assert.Equal(256, viewer.FirstPictureSize.Width);
        Assert.Equal(0, viewer.Rejected);
    }

    [Theory]
    [InlineData("{\"token\":\"t\",\"examId\":\"E\",\"codec\":\"vp8\"}", ImageEncoding.Vp8, null)]
    [InlineData("{\"token\":\"t\",\"examId\":\"E\"}", ImageEncoding.Jpeg, null)]
    [InlineData("{\"token\":\"t\",\"examId\":\"E\",\"codec\":\"h264\"}", null, "codec")]
    public void A_hello_may_ask_for_vp8(string hello, ImageEncoding? codec, string? problemMentions)
    {
        bool ok = ViewerEndpoint.TryParseHello(hello, out _, out var request, out _, out var problem);
        if (problemMentions is null)
        {
            Assert.True(ok, problem);
            Assert.Equal(codec, request!.Codec);
        }
        else
        {
            Assert.False(ok);
            Assert.Contains(problemMentions, problem);
        }
    }

    /// <summary>A gRPC observer that decodes each VP8 frame as it arrives.</summary>
    private sealed class DecodingViewer(Uri address)
    {
        private readonly VideoDecoder _decoder = new(VideoCodec.Vp8);
        private readonly byte[] _grey = new byte[1024 * 1024];
        private long _frames, _pictures, _keyFrames, _bytes;

        public long Bytes => Interlocked.Read(ref _bytes);

        public long Frames => Interlocked.Read(ref _frames);

        public long Pictures => Interlocked.Read(ref _pictures);

        public long KeyFrames => Interlocked.Read(ref _keyFrames);

        public int Rejected { get; private set; }

        public int AwaitingKeyFrame { get; private set; }

        public bool FirstFrameWasKey { get; private set; }

        /// <summary>Inter frames that did not follow the previous frame of their stream: a gap the server should have
        /// closed with a key frame (libvpx decodes such a frame without complaint, into a wrong picture).</summary>
        public int InterFramesAfterAGap { get; private set; }

        /// <summary>Frames of a stream missing before a key frame (refused for this observer, or never encoded).</summary>
        public int GapsClosedByKeyFrames { get; private set; }

        private (uint Width, ulong Sequence)? _previous;

        public (int Width, int Height) PictureSize { get; private set; }

        public (int Width, int Height) FirstPictureSize { get; private set; }

        /// <summary>Which frames (counted from 0) were key frames.</summary>
        public List<long> KeyFrameIndexes { get; } = [];

        public LiveFeedObserver? Observer { get; private set; }

        public async Task RunAsync(WatchRequest request, CancellationToken cancellation)
        {
            using var channel = LiveFeedObserver.CreateChannel(address);
            var observer = Observer = new LiveFeedObserver(channel, LiveFeedTestServer.ObserverToken);
            try
            {
                await observer.RunAsync(request, OnFrame, null, cancellation);
            }
            finally
            {
                _decoder.Dispose();
            }
        }

        private void OnFrame(LiveFrame frame)
        {
            Assert.Equal(ImageEncoding.Vp8, frame.Encoding);
            if (Interlocked.Increment(ref _frames) == 1) FirstFrameWasKey = frame.KeyFrame;
            if (frame.KeyFrame)
            {
                Interlocked.Increment(ref _keyFrames);
                lock (KeyFrameIndexes) KeyFrameIndexes.Add(Frames - 1);
            }
            Interlocked.Add(ref _bytes, frame.Data.Length);
            bool follows = _previous is { } p && p.Width == frame.Width && p.Sequence + 1 == frame.Sequence;
            if (_previous is not null && !follows)
            {
                if (frame.KeyFrame) GapsClosedByKeyFrames++;
                else InterFramesAfterAGap++;
            }
            _previous = (frame.Width, frame.Sequence);
            var result = _decoder.Decode(frame.Data.Span, _grey);
            switch (result.Status)
            {
                case DecodeStatus.Picture:
                    Assert.Equal(((int)frame.Width, (int)frame.Height), (result.Width, result.Height));
                    if (Pictures == 0) FirstPictureSize = (result.Width, result.Height);
                    PictureSize = (result.Width, result.Height);
                    Interlocked.Increment(ref _pictures);
                    break;
                case DecodeStatus.Rejected:
                    Rejected++;
                    break;
                default:
                    AwaitingKeyFrame++;
                    break;
            }
        }
    }
}
