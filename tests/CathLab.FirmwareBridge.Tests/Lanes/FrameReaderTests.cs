using CathLab.FirmwareBridge.Link;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CathLab.FirmwareBridge.Tests.Lanes;

/// <summary>The reader lane fed bytes by hand: damaged frames, garbage, cut-off frames, and the dispatch of what is good.</summary>
public sealed class FrameReaderTests
{
    private readonly LaneRig _rig = new();
    private readonly FrameDispatcher _dispatcher;
    private readonly FrameReader _reader;

    public FrameReaderTests()
    {
        _dispatcher = new FrameDispatcher(new HeartbeatLane(), _rig.Commands, _rig.Events, _rig.Statistics, _rig.Clock, _rig.Line.Write, NullLogger.Instance);
        _reader = new FrameReader(new SerialLine(), _dispatcher, _rig.Statistics, _rig.Clock, _rig.Timings, NullLogger.Instance);
    }

    private FakeTimeProvider Time => _rig.Time;
    private LineRecorder Line => _rig.Line;
    private LinkTimings Timings => _rig.Timings;
    private LinkStatistics Statistics => _rig.Statistics;
    private CommandLane Commands => _rig.Commands;
    private LinkClock Clock => _rig.Clock;

    private (Task<byte[]> Answer, LineFrame Sent) StatusInFlight()
    {
        var answer = Commands.Submit(MessageType.GetStatus, [], whileConnecting: false);
        Commands.Service(Clock.NowMs);
        return (answer, Line.Of(MessageType.GetStatus)[^1]);
    }

    [Fact]
    public void A_damaged_frame_is_counted_and_skipped_and_the_good_frame_after_it_is_dispatched()
    {
        var (answer, sent) = StatusInFlight();
        var damaged = LineFrames.Ack(sent.Sequence, MessageType.GetStatus);
        damaged[^2] ^= 0x5A; // a CRC byte
        _reader.Feed([.. damaged, .. LineFrames.Ack(sent.Sequence, MessageType.GetStatus)], Clock.NowMs);
        Assert.Equal(1, Statistics.DamagedFrames);
        Assert.True(answer.IsCompletedSuccessfully);
    }

    [Fact]
    public void Garbage_between_frames_is_discarded_and_counted()
    {
        var (answer, sent) = StatusInFlight();
        _reader.Feed([0x00, 0x13, 0x37, .. LineFrames.Ack(sent.Sequence, MessageType.GetStatus)], Clock.NowMs);
        Assert.True(Statistics.DiscardedBytes >= 3);
        Assert.True(answer.IsCompletedSuccessfully);
    }

    [Fact]
    public void A_frame_cut_off_by_silence_is_dropped_and_the_next_one_is_read()
    {
        var (answer, sent) = StatusInFlight();
        var ack = LineFrames.Ack(sent.Sequence, MessageType.GetStatus);
        _reader.Feed(ack.AsSpan(0, 4), Clock.NowMs);
        Time.Advance(TimeSpan.FromMilliseconds(Timings.InterByteSilenceMs - 1));
        _reader.Silence(Clock.NowMs);
        Time.Advance(TimeSpan.FromMilliseconds(1));
        _reader.Silence(Clock.NowMs); // the partial frame goes now
        _reader.Feed(ack, Clock.NowMs);
        Assert.True(answer.IsCompletedSuccessfully);
        Assert.True(Statistics.DiscardedBytes >= 4);
    }

    [Fact]
    public void A_frame_error_from_the_generator_sends_the_command_again()
    {
        var (_, sent) = StatusInFlight();
        _reader.Feed(LineFrames.Encode(0, MessageType.FrameError, [(byte)RefusalReason.CrcError]), Clock.NowMs);
        Commands.Service(Clock.NowMs);
        Assert.Equal(2, Line.Of(MessageType.GetStatus).Count(f => f.Sequence == sent.Sequence));
    }

    [Fact]
    public void Events_are_acknowledged_delivered_in_order_and_EventsLost_is_told()
    {
        var delivered = new List<GeneratorEvent>();
        int told = 0;
        _dispatcher.EventReceived += delivered.Add;
        _dispatcher.EventsLost += _ => told++;
        _reader.Feed([.. LineFrames.Event(1, new EventsLostEvent(12)), .. LineFrames.Event(3, new EventsLostEvent(1))], Clock.NowMs);
        Assert.Equal([new EventsLostEvent(12)], delivered);
        Assert.Equal(1, told);
        Assert.Equal(12, Statistics.EventsLost);
        Assert.Equal(1, Statistics.EventsDropped); // SEQ 3 came before 2
        Assert.Equal([1, 1], Line.Of(MessageType.EventAck).Select(f => (int)f.Sequence));
    }
}
