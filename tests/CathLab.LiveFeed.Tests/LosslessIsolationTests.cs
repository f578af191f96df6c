using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Frames;
using CathLab.Security.Access;
using CathLab.LiveFeed.Sessions;
using CathLab.LiveFeed.Tests.Support;
using CathLab.LiveFeed.Tiers;
using Xunit.Abstractions;

namespace CathLab.LiveFeed.Tests;

/// <summary>A lossless observer beside lossy ones: its 16-bit PNG (about 50 ms a 1024² frame, more under load) used to
/// be encoded on the encoder thread before anyone got the frame, so at 30 fps the encoder queue filled and every
/// observer lost frames before the encoder. The PNG now has a lane of its own; only the lossless observer waits for it.</summary>
public sealed class LosslessIsolationTests(ITestOutputHelper output)
{
    private const int LossyObservers = 3;
    private static readonly CallerIdentity Tech = new("t", StationRole.Technician, []);

    [Fact]
    public void ALosslessObserverCostsTheOthersNoFrameBeforeTheEncoder()
    {
        var frames = SimulatedFrameSet.Full;
        using var hub = new LiveFeedHub(new LiveFeedOptions());
        hub.BeginExam("E");
        var lossy = Enumerable.Range(0, LossyObservers).Select(_ => Join(hub, Tier.Diagnostic, 3)).ToArray();
        var lossless = Join(hub, Tier.Lossless, 0);
        const int Frames = 90; // 3 s at 30 fps: the PNG alone would need 4.5 s of encoder time
        using (var pump = new FramePump(hub, frames, 30).Start())
        {
            Assert.True(SpinWait.SpinUntil(() => pump.Published >= Frames, TimeSpan.FromMinutes(2)), "the pump stopped");
        }
        WaitUntilSettled(hub);
        var c = hub.Counters;
        output.WriteLine($"published {c.Published}, dropped before the encoder {c.DroppedBeforeEncoder}, lossless encodes {hub.EncodesOf(StreamVariant.All[0])}; lossless observer lost {lossless.FramesLost}, queued {lossless.QueuedFrames}");

        Assert.Equal(0, c.DroppedBeforeEncoder);
        Assert.All(lossy, s => Assert.Equal(c.Published, s.FramesLost + s.QueuedFrames + s.FramesSkipped)); // no writer: every frame reached its queue
        Assert.True(hub.EncodesOf(StreamVariant.All[0]) > 0, "the lossless observer got no lossless frame");
        Assert.Equal(c.Published, lossless.FramesLost + lossless.QueuedFrames); // what its lane could not encode is its own loss, counted
    }

    /// <summary>In frame counts: each frame is published once the encoder is done with the one before, so the lossy path
    /// sets the pace. While one PNG is made the lossy observers get several frames; the lossless lane keeps the newest
    /// frame and counts what it passed over as lost for the lossless observer alone.</summary>
    [Fact]
    public void TheLossyPathDoesNotWaitForThePng()
    {
        var frames = SimulatedFrameSet.Full;
        using var hub = new LiveFeedHub(new LiveFeedOptions());
        hub.BeginExam("E");
        var lossy = Join(hub, Tier.Preview, 3);
        var lossless = Join(hub, Tier.Lossless, 0);
        const int Frames = 40;
        for (long n = 0; n < Frames; n++)
        {
            int i = (int)(n % frames.Count);
            Assert.True(hub.PublishFrame(LiveFrameInfo.Square(n, frames.Side, 14), frames.Raw[i], frames.Display[i]), $"frame {n} was dropped before the encoder");
            long done = n + 1;
            Assert.True(SpinWait.SpinUntil(() => hub.EncoderFramesDone >= done, TimeSpan.FromMinutes(1)), "the encoder stopped taking frames");
        }
        WaitUntilSettled(hub);
        long pngs = hub.EncodesOf(StreamVariant.All[0]);
        output.WriteLine($"{Frames} frames; PNGs made {pngs}; lossless observer lost {lossless.FramesLost}, queued {lossless.QueuedFrames}");

        Assert.True(pngs <= Frames / 2, $"the encoder waited for the PNG of {pngs} of {Frames} frames");
        Assert.Equal(Frames, lossy.FramesLost + lossy.QueuedFrames);
        Assert.Equal(Frames, lossless.FramesLost + lossless.QueuedFrames);
        Assert.Equal(0, hub.Counters.DroppedBeforeEncoder);
    }

    private static ObserverSession Join(LiveFeedHub hub, Tier tier, int level)
    {
        var session = hub.Join(Tech, "E", tier, 0, "test", null);
        session.ForceLevel(level);
        return session;
    }

    private static void WaitUntilSettled(LiveFeedHub hub)
    {
        long published = hub.Counters.Published;
        Assert.True(SpinWait.SpinUntil(() => hub.EncoderFramesDone + hub.Counters.DroppedBeforeEncoder >= published && hub.LosslessIdle, TimeSpan.FromMinutes(1)),
            "the encoder or the lossless lane did not finish");
    }
}
