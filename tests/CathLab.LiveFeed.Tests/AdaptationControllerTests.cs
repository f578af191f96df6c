using CathLab.LiveFeed.Sessions;
using CathLab.LiveFeed.Tiers;

namespace CathLab.LiveFeed.Tests;

public sealed class AdaptationControllerTests
{
    private const long Second = 1_000_000;
    private const double Fps = 10;
    private static double Sizes(StreamVariant v) => v.Index switch { 0 => 900_000, 1 => 150_000, 2 => 40_000, _ => 9_000 };

    /// <summary>The sizes of a noisy 1024² frame's variants (bench/RESULTS.md).</summary>
    private static double RealSizes(StreamVariant v) => v.Index switch { 0 => 1_540_000, 1 => 477_000, 2 => 45_000, _ => 4_300 };

    [Fact]
    public void StartsAtTheQuarterPreviewAndNeverAboveItsTop()
    {
        Assert.Equal(AdaptationController.StartLevel, new AdaptationController(StreamLevel.TopFor(Protocol.Tier.Diagnostic), 0).Level);
        Assert.Equal(5, new AdaptationController(5, 0).Level);
    }

    [Fact]
    public void TwoLateFramesStepDownOnceWithinTheCooldown()
    {
        var a = new AdaptationController(1, 0);
        long t = 10 * Second;
        Assert.False(a.OnDelivered(t, 900_000, 300_000, 9_000));
        Assert.True(a.OnDelivered(t + 1000, 900_000, 300_000, 9_000));
        Assert.Equal(4, a.Level);
        Assert.False(a.OnDelivered(t + 2000, 900_000, 300_000, 9_000));
        Assert.False(a.OnDelivered(t + 3000, 900_000, 300_000, 9_000));
        Assert.Equal(4, a.Level);
        Assert.Equal("late", a.LastReason);
    }

    [Fact]
    public void AnUnacknowledgedFrameStepsDownAndTheBottomHolds()
    {
        var a = new AdaptationController(StreamLevel.Bottom, 0);
        Assert.False(a.OnLost(10 * Second));
        Assert.Equal(StreamLevel.Bottom, a.Level);
        var b = new AdaptationController(1, 0);
        Assert.True(b.OnLost(10 * Second));
        Assert.Equal(4, b.Level);
    }

    [Fact]
    public void StepsUpToTheTopWhenTheLinkHasRoom()
    {
        var a = new AdaptationController(1, 0);
        long t = 0;
        for (int i = 0; i < 200 && a.Level > 1; i++)
        {
            t += 100_000;
            a.OnDelivered(t, 40_000, 2_000, 9_000); // 4.5 MB/s
            a.OnTick(t, Sizes, Fps);
        }
        Assert.Equal(1, a.Level);
        t += 10 * Second;
        a.OnDelivered(t, 40_000, 2_000, 150_000);
        Assert.False(a.OnTick(t, Sizes, Fps));
        Assert.Equal(1, a.Level);
    }

    [Fact]
    public void DoesNotStepUpWhenTheNextLevelsFramesWouldNotFit()
    {
        var a = new AdaptationController(1, 0);
        long t = 0;
        for (int i = 0; i < 300; i++)
        {
            t += 100_000;
            a.OnDelivered(t, 200_000, 280_000, 9_000); // about 32 kB/s
            a.OnTick(t, Sizes, Fps);
        }
        Assert.Equal(AdaptationController.StartLevel, a.Level);
    }

    [Fact]
    public void AFailedStepUpDoublesTheHoldBeforeTheNextTry()
    {
        var a = new AdaptationController(1, 0);
        long t = 0;
        while (a.Level == 3)
        {
            t += 100_000;
            a.OnDelivered(t, 40_000, 2_000, 9_000);
            a.OnTick(t, Sizes, Fps);
        }
        Assert.Equal(2, a.Level);
        t += Second;
        a.OnDelivered(t, 900_000, 2_000, 40_000);
        a.OnDelivered(t + 1, 900_000, 2_000, 40_000);
        Assert.Equal(3, a.Level);
        int acks = 0;
        while (a.Level == 3 && acks < 1000)
        {
            t += 100_000;
            a.OnDelivered(t, 40_000, 2_000, 9_000);
            acks++;
            a.OnTick(t, Sizes, Fps);
        }
        Assert.Equal(2, a.Level);
        Assert.True(acks >= 2 * AdaptationController.BaseUpHoldFrames, $"stepped up again after {acks} acknowledgements");
    }

    /// <summary>The browser's case: it acknowledges a frame after drawing it (25 ms here) on a link that carries the
    /// diagnostic tier (4.8 MB/s at 10 fps) 2.5 times over. Judged by bytes per time, a 4.3 KB preview "measured"
    /// 170 KB/s and the 45 KB of the next level never fit; as delay plus bandwidth, with one probe frame per step, the climb takes two holds.</summary>
    [Fact]
    public void AFixedDrawDelayIsNotMistakenForASlowLink()
    {
        var (a, acks) = Climb(delayUs: 25_000, bytesPerSecond: 12e6, maxAcks: 400);
        Assert.Equal(1, a.Level);
        Assert.True(acks <= ClimbBoundFrames, $"reached the diagnostic tier after {acks} acknowledged frames");
        Assert.Equal(2, a.StepsUp);
        Assert.True(a.Link.TryEstimate(477_000, out double delay, out double bandwidth));
        Assert.InRange(delay, 20_000, 30_000);
        Assert.InRange(bandwidth, 10e6, 14e6);
    }

    /// <summary>A link that carries the quarter preview but not the next level, with the same draw delay: the probe
    /// shows it, the observer stays, and the probes become rarer (the hold doubles after each).</summary>
    [Fact]
    public void ASlowLinkIsProbedButNotClimbed()
    {
        var (a, acks) = Climb(delayUs: 25_000, bytesPerSecond: 125_000, maxAcks: 600);
        Assert.Equal(600, acks);
        Assert.Equal(AdaptationController.StartLevel, a.Level);
        Assert.Equal(0, a.StepsUp);
        Assert.InRange(a.Probes, 1, 8);
    }

    /// <summary>The bound docs/live-feed.md states: two steps of a hold and a probe each.</summary>
    private const int ClimbBoundFrames = 2 * (AdaptationController.BaseUpHoldFrames + AdaptationController.ProbeSettleFrames + 2);

    /// <summary>Frames at 10 fps over a link of fixed delay plus bandwidth, each acknowledged as it arrives; a probe
    /// request sends the next frame at the level above. Returns after reaching level 1 or <paramref name="maxAcks"/>.</summary>
    private static (AdaptationController Controller, int Acks) Climb(long delayUs, double bytesPerSecond, int maxAcks)
    {
        var a = new AdaptationController(1, 0);
        long t = 0;
        bool probe = false;
        int acks = 0;
        while (a.Level > 1 && acks < maxAcks)
        {
            int level = probe ? a.Level - 1 : a.Level;
            int bytes = (int)RealSizes(StreamLevel.Ladder[level].Variant);
            long transfer = delayUs + (long)(bytes * 1e6 / bytesPerSecond);
            t += 100_000;
            a.OnDelivered(t + transfer, transfer, transfer, bytes);
            acks++;
            a.OnTick(t + transfer, RealSizes, Fps);
            probe = a.TakeProbeRequest();
        }
        return (a, acks);
    }
}
