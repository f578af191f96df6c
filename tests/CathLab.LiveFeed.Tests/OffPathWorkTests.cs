using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Frames;
using CathLab.Security.Access;
using CathLab.LiveFeed.Tests.Support;
using CathLab.LiveFeed.Tiers;

namespace CathLab.LiveFeed.Tests;

/// <summary>Work that used to sit on the live path and now does not: measuring the size of a variant nobody
/// receives (a 16-bit PNG held up the frame and the ones behind it), and making the frame slots' arrays
/// (their first copy took page faults on the publishing thread).</summary>
public sealed class OffPathWorkTests
{
    private static readonly CallerIdentity Tech = new("t", StationRole.Technician, []);

    [Fact]
    public void TheSizeOfALevelAnObserverMayStepUpToIsMeasuredOffTheEncoderThread()
    {
        var frames = SimulatedFrameSet.Full;
        using var hub = new LiveFeedHub(new LiveFeedOptions());
        hub.BeginExam("E");
        hub.Join(Tech, "E", Tier.Lossless, 0, "test", null).ForceLevel(1); // receives diagnostic, may step up to lossless
        long n = 0;
        while (hub.AverageBytes(StreamVariant.All[0]) == 0 && n < 200) Publish(hub, frames, n++);

        Assert.True(hub.AverageBytes(StreamVariant.All[0]) > 100_000, $"the lossless size was not measured after {n} frames");
        Assert.True(hub.SizeProbes > 0);
        Assert.Equal(0, hub.EncodesOf(StreamVariant.All[0])); // the encoder thread never made a PNG
        Assert.True(hub.EncodesOf(StreamVariant.All[1]) > 0, "the observer's own level is encoded on the encoder thread");
    }

    [Fact]
    public void NothingIsMeasuredForObserversAtTheirBestLevel()
    {
        var frames = SimulatedFrameSet.Full;
        using var hub = new LiveFeedHub(new LiveFeedOptions());
        hub.BeginExam("E");
        hub.Join(Tech, "E", Tier.Diagnostic, 0, "test", null).ForceLevel(1);
        hub.Join(Tech, "E", Tier.Preview, 0, "test", null).ForceLevel(2);
        for (long n = 0; n < 140; n++) Publish(hub, frames, n); // more than two re-measuring periods

        Assert.Equal(0, hub.SizeProbes);
        Assert.Equal(0, hub.EncodesOf(StreamVariant.All[0]));
        Assert.Equal(0, hub.AverageBytes(StreamVariant.All[0]));
        Assert.True(hub.AverageBytes(StreamVariant.All[1]) > 0, "what is streamed is measured as it is encoded");
    }

    [Fact]
    public void AfterTheFirstFrameOfASizePublishingFindsItsSlotReady()
    {
        var frames = SimulatedFrameSet.Full;
        using var hub = new LiveFeedHub(new LiveFeedOptions());
        hub.BeginExam("E");
        int processed = frames.Side * frames.Side;
        Publish(hub, frames, 0);
        Assert.True(SpinWait.SpinUntil(() => hub.Store.FreeSlotsOfSize(processed, processed) >= 20, TimeSpan.FromMinutes(1)),
            $"only {hub.Store.FreeSlotsOfSize(processed, processed)} free slots were made for the frame size");
        // The first 40 publications are not counted: tiered compilation promotes a method after 30 calls, and the
        // promotion's own allocations land on whichever thread calls it then.
        const int WarmUp = 40;
        for (long n = 1; n < WarmUp + 40; n++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Assert.True(hub.PublishFrame(LiveFrameInfo.Square(n, frames.Side, 14), frames.Raw[(int)(n % frames.Count)], frames.Display[(int)(n % frames.Count)]));
            if (n > WarmUp) Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            WaitForEncoder(hub, n + 1);
        }
    }

    [Fact]
    public void ProvisioningSkipsHeldSlotsAndSlotsAlreadyOfTheSize()
    {
        var store = new FrameStore(inFlightSlots: 2, recentFrames: 2, markedFrames: 1);
        var held = store.TryRent()!;
        int free = store.FreeSlotsOfSize(0, 0);
        Assert.Equal(free, store.Provision(16, 8));
        Assert.Equal(free, store.FreeSlotsOfSize(16, 8));
        Assert.Equal(0, store.Provision(16, 8));
        Assert.False(held.HasSize(16, 8)); // the publisher's slot is its own until released
        store.Release(held);
        Assert.Equal(1, store.Provision(16, 8));
        Assert.Equal(free + 1, store.FreeSlotsOfSize(16, 8));
    }

    private static void Publish(LiveFeedHub hub, SimulatedFrameSet frames, long n)
    {
        int i = (int)(n % frames.Count);
        Assert.True(hub.PublishFrame(LiveFrameInfo.Square(n, frames.Side, 14), frames.Raw[i], frames.Display[i]), $"frame {n} was dropped before the encoder");
        WaitForEncoder(hub, n + 1);
    }

    private static void WaitForEncoder(LiveFeedHub hub, long frames) =>
        Assert.True(SpinWait.SpinUntil(() => hub.EncoderFramesDone >= frames, TimeSpan.FromMinutes(1)), "the encoder stopped taking frames");
}
