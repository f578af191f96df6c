using CathLab.FirmwareBridge.Link;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CathLab.FirmwareBridge.Tests.Support;

/// <summary>A command lane on a fake clock, writing into a recorder: what the lane tests step by hand.</summary>
internal sealed class LaneRig
{
    public LaneRig(LinkTimings? timings = null)
    {
        Timings = timings ?? new LinkTimings();
        Clock = new LinkClock(Time);
        Statistics = new LinkStatistics(Timings.AnswerTimeout);
        Commands = new CommandLane(new LinkSequence(), Events, Statistics, Clock, Timings, Line.Write, () => State, () => { }, NullLogger.Instance);
    }

    public FakeTimeProvider Time { get; } = new();
    public LineRecorder Line { get; } = new();
    public EventSequencer Events { get; } = new();
    public LinkTimings Timings { get; }
    public LinkClock Clock { get; }
    public LinkStatistics Statistics { get; }
    public CommandLane Commands { get; }
    public LinkState State { get; set; } = LinkState.Connected;
    public long Now => Clock.NowMs;
}
