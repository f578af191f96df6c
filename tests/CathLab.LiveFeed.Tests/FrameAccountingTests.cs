using CathLab.Contracts.Client;
using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Frames;
using CathLab.Security.Access;
using CathLab.LiveFeed.Tests.Support;

namespace CathLab.LiveFeed.Tests;

/// <summary>Every frame of the exam either reaches an observer or is counted (lost, lost before the encoder, or
/// skipped by its level's rate or its cap); the last-image hold is marked and not counted; the exam's end ends the stream.</summary>
public sealed class FrameAccountingTests
{
    private const long FrameUs = 33_333;
    private static readonly CallerIdentity Tech = new("t", StationRole.Technician, []);

    private static FrameSlot Slot(FrameStore store, long number, long readyUs, bool held = false)
    {
        var slot = store.TryRent()!;
        slot.Fill(new LiveFrameInfo(number, 2, 2, 12, 2, 2, held), new ushort[4], new byte[4], readyUs, "E", "RUN-2");
        return slot;
    }

    /// <summary>Offers <paramref name="frames"/> frames 33 ms apart to the session while the hub's estimate says
    /// <paramref name="estimateUs"/>, and returns how many it took.</summary>
    private static int Chosen(Sessions.ObserverSession session, int frames, double estimateUs)
    {
        var store = new FrameStore(inFlightSlots: 2, recentFrames: 2, markedFrames: 1);
        int chosen = 0;
        for (int i = 0; i < frames; i++)
        {
            var slot = Slot(store, i, 1_000_000_000 + i * FrameUs);
            if (session.Choose(slot, estimateUs) is not null) chosen++;
            store.Retire(slot);
        }
        return chosen;
    }

    [Fact]
    public void AFullRateLevelTakesEveryFrameEvenWhenTheRateEstimateStillHoldsTheIdleGap()
    {
        using var hub = new LiveFeedHub(new LiveFeedOptions());
        var session = hub.Join(Tech, "E", Tier.Diagnostic, 0, "test", null);
        session.ForceLevel(1);
        // 230 ms: what the old estimate said at the first frames of a run after 2 s of idle time between runs.
        Assert.Equal(30, Chosen(session, 30, 230_000));
        Assert.Equal(0, session.FramesSkipped);
    }

    [Fact]
    public void ALevelAtAFractionOfTheRateCountsWhatItSkips()
    {
        using var hub = new LiveFeedHub(new LiveFeedOptions());
        var session = hub.Join(Tech, "E", Tier.Preview, 0, "test", null);
        session.ForceLevel(5); // a quarter of the frames
        Assert.Equal(8, Chosen(session, 32, FrameUs));
        Assert.Equal(24, session.FramesSkipped);
    }

    [Fact]
    public void TheObserversCapIsJudgedByTimeAndItsSkipsAreCounted()
    {
        using var hub = new LiveFeedHub(new LiveFeedOptions());
        var session = hub.Join(Tech, "E", Tier.Preview, 10, "test", null);
        session.ForceLevel(3);
        int chosen = Chosen(session, 30, FrameUs); // 1 s of frames at 30 fps, capped at 10
        Assert.InRange(chosen, 10, 11);
        Assert.Equal(30 - chosen, session.FramesSkipped);
    }

    [Fact]
    public void ALastImageHoldIsAlwaysTakenAndLeavesTheRateAlone()
    {
        using var hub = new LiveFeedHub(new LiveFeedOptions());
        var session = hub.Join(Tech, "E", Tier.Preview, 0, "test", null);
        session.ForceLevel(6); // one frame in eight
        var store = new FrameStore(inFlightSlots: 2, recentFrames: 2, markedFrames: 1);
        var first = Slot(store, 0, 1_000_000_000);
        Assert.NotNull(session.Choose(first, FrameUs));
        store.Retire(first);
        var held = Slot(store, 0, 1_000_000_000 + FrameUs, held: true);
        Assert.NotNull(session.Choose(held, FrameUs));
        store.Retire(held);
        Assert.Equal(0, session.FramesSkipped);
    }

    [Fact]
    public void TheSourceRateLeavesOutTheIdleGapBetweenRunsAndTheHold()
    {
        var rate = new SourceRateEstimate();
        long t = 1_000_000_000;
        for (int i = 0; i < 100; i++) rate.Observe(t += 66_667, "RUN-1", held: false); // 15 fps
        double settled = rate.IntervalMicroseconds;
        Assert.InRange(settled, 60_000, 70_000);
        rate.Observe(t + 500_000, "RUN-1", held: true);   // the last-image hold, half a second after the run
        rate.Observe(t += 20_000_000, "RUN-2", held: false); // the next run, 20 s later
        rate.Observe(t += 66_667, "RUN-2", held: false);
        Assert.InRange(rate.IntervalMicroseconds, 60_000, 70_000);
        rate.Observe(t += 5_000_000, "RUN-2", held: false); // a pause within a run is no frame interval either
        Assert.InRange(rate.IntervalMicroseconds, 60_000, 70_000);
    }

    [Fact]
    public async Task AcrossTwoRunsEveryFrameArrivesOrIsCountedTheHoldIsMarkedAndTheExamsEndEndsTheStream()
    {
        await using var server = await LiveFeedTestServer.StartAsync();
        var hub = server.Hub;
        var set = SimulatedFrameSet.Full;
        using var channel = LiveFeedObserver.CreateChannel(server.Address);
        var observer = new LiveFeedObserver(channel, LiveFeedTestServer.ObserverToken);
        var held = new List<LiveFrame>();
        var events = new List<ExamEvent>();
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var watching = observer.RunAsync(new WatchRequest { ExamId = LiveFeedTestServer.Exam, BestTier = Tier.Preview },
            f => { if (f.LastImageHold) lock (held) held.Add(f.Clone()); }, e => { lock (events) events.Add(e); }, hang.Token);
        while (hub.Sessions.Count == 0) await Task.Delay(20, hang.Token);

        long number = 0;
        async Task Run(string id, int frames)
        {
            hub.PublishRunStarted(id, "fluoro", 15);
            for (int i = 0; i < frames; i++, number++)
            {
                hub.PublishFrame(LiveFrameInfo.Square(number, set.Side, 14), set.Raw[(int)(number % set.Count)], set.Display[(int)(number % set.Count)]);
                await Task.Delay(66, hang.Token);
            }
            hub.PublishFrame(LiveFrameInfo.Square(number - 1, set.Side, 14) with { LastImageHold = true }, set.Raw[0], set.Display[0]);
            hub.PublishRunEnded(id, frames);
        }
        await Run("RUN-1", 30);
        await Task.Delay(2500, hang.Token); // the idle time between runs
        await Run("RUN-2", 30);
        hub.EndExam();
        await watching; // ends by itself, status OK

        var session = Assert.Single(server.Audit.Recent(), r => r.Action == "watch-end");
        Assert.Equal("OK", session.Outcome);
        Assert.Contains("exam ended", session.Detail);
        lock (events) Assert.Equal(ExamEvent.KindOneofCase.ExamEnded, events[^1].KindCase);
        lock (held) Assert.Equal([29ul, 59ul], held.Select(f => f.FrameNumber));
        var s = observer.Statistics;
        Assert.Equal(2, s.HeldFrames);
        Assert.Equal(0, s.SkippedReported); // a full-rate level with no cap skips nothing
        Assert.Equal(number, s.Frames + s.LostReported + hub.Counters.DroppedBeforeEncoder);
    }
}
