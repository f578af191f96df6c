using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Frames;
using CathLab.Security.Access;
using CathLab.LiveFeed.Tests.Support;

namespace CathLab.LiveFeed.Tests;

public sealed class HubTests
{
    private static readonly CallerIdentity Tech = new("t", StationRole.Technician, []);

    [Fact]
    public void PublishNeverWaitsAndCountsWhatTheEncoderCouldNotTake()
    {
        var frames = SimulatedFrameSet.Full;
        using var hub = new LiveFeedHub(new LiveFeedOptions { EncoderQueueDepth = 1 });
        hub.BeginExam("E");
        var session = hub.Join(Tech, "E", Tier.Diagnostic, 0, "test", null);
        session.ForceLevel(1); // a full-size JPEG of every frame: an encoder far slower than the 3 MB copy of publishing
        int accepted = 0;
        for (int i = 0; i < 100; i++)
        {
            if (hub.PublishFrame(LiveFrameInfo.Square(i, frames.Side, 14), frames.Raw[i % frames.Count], frames.Display[i % frames.Count])) accepted++;
        }
        var c = hub.Counters;
        Assert.Equal(100, c.Published);
        Assert.Equal(100, accepted + c.DroppedBeforeEncoder);
        Assert.True(c.DroppedBeforeEncoder > 0, "a tight loop of 100 frames should outrun the encoder with a queue of 1");
    }

    [Fact]
    public void FramesOutsideAnExamAreDroppedAndWrongSizesAreRefused()
    {
        using var hub = new LiveFeedHub(new LiveFeedOptions());
        var pixels = new ushort[64 * 64];
        var display = new byte[64 * 64];
        Assert.False(hub.PublishFrame(LiveFrameInfo.Square(0, 64, 12), pixels, display));
        Assert.Equal(1, hub.Counters.DroppedBeforeEncoder);
        hub.BeginExam("E");
        Assert.Throws<ArgumentException>(() => hub.PublishFrame(LiveFrameInfo.Square(1, 64, 12), pixels.AsSpan(1), display));
        Assert.Throws<ArgumentException>(() => hub.PublishFrame(new LiveFrameInfo(1, 64, 64, 12, 32, 32), pixels, display));
        Assert.Throws<ArgumentException>(() => hub.BeginExam(" "));
    }

    [Fact]
    public void OptionsOutOfRangeAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LiveFeedHub(new LiveFeedOptions { EncoderQueueDepth = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LiveFeedHub(new LiveFeedOptions { RecentFrames = 1000 }));
        Assert.Throws<ArgumentException>(() => new LiveFeedOptions { WebPath = "live" }.Validate());
    }

    [Fact]
    public void AMarkedFrameOutlivesTheRecentRing()
    {
        var store = new FrameStore(inFlightSlots: 2, recentFrames: 2, markedFrames: 1);
        var px = new ushort[4];
        var d = new byte[4];
        FrameSlot Publish(long n)
        {
            var s = store.TryRent()!;
            s.Fill(new LiveFrameInfo(n, 2, 2, 12, 2, 2), px, d, n, "E", "R");
            store.Retire(s);
            return s;
        }
        Publish(0);
        Assert.True(store.Mark("E", 0));
        Assert.False(store.Mark("E", 99));
        for (int n = 1; n < 10; n++) Publish(n);
        Assert.NotNull(store.Acquire("E", 0));
        Assert.Null(store.Acquire("E", 1));
        Assert.Null(store.Acquire("F", 0));
    }
}
