using CathLab.LiveFeed.Sessions;
using CathLab.LiveFeed.Tiers;

namespace CathLab.LiveFeed.Tests;

public sealed class AdaptationControllerTests
{
    private const long Second = 1_000_000;
    private static double Sizes(StreamVariant v) => v.Index switch { 0 => 900_000, 1 => 150_000, 2 => 40_000, _ => 9_000 };

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
            a.OnTick(t, Sizes);
        }
        Assert.Equal(1, a.Level);
        t += 10 * Second;
        a.OnDelivered(t, 40_000, 2_000, 150_000);
        Assert.False(a.OnTick(t, Sizes));
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
            a.OnTick(t, Sizes);
        }
        Assert.Equal(AdaptationController.StartLevel, a.Level);
    }

    [Fact]
    public void AFailedStepUpDoublesTheWaitBeforeTheNextTry()
    {
        var a = new AdaptationController(1, 0);
        long t = 0;
        while (a.Level == 3)
        {
            t += 100_000;
            a.OnDelivered(t, 40_000, 2_000, 9_000);
            a.OnTick(t, Sizes);
        }
        long upAt = t;
        Assert.Equal(2, a.Level);
        t += Second;
        a.OnDelivered(t, 900_000, 2_000, 40_000);
        a.OnDelivered(t + 1, 900_000, 2_000, 40_000);
        Assert.Equal(3, a.Level);
        long downAt = t;
        while (a.Level == 3 && t < downAt + 60 * Second)
        {
            t += 100_000;
            a.OnDelivered(t, 40_000, 2_000, 9_000);
            a.OnTick(t, Sizes);
        }
        Assert.True(t - downAt >= 2 * AdaptationController.BaseUpHoldMicroseconds, $"stepped up again after {(t - downAt) / 1e6} s (first step up after {upAt / 1e6} s)");
    }
}
