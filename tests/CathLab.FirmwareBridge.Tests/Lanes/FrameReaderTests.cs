using CathLab.FirmwareBridge.Link;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CathLab.FirmwareBridge.Tests.Lanes;

/// <summary>The reader lane fed bytes by hand: damaged frames, garbage, cut-off frames, and the dispatch of what is good.</summary>
public sealed class FrameReaderTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly LineRecorder _line = new();
    private readonly LinkTimings _timings = new();
    private readonly LinkStatistics _statistics;
    private readonly CommandLane _commands;
    private readonly FrameDispatcher _dispatcher;
    private readonly FrameReader _reader;
    private readonly LinkClock _clock;

    public FrameReaderTests()
    {
        _clock = new LinkClock(_time);
        _statistics = new LinkStatistics(_timings.AnswerTimeout);
        var events = new EventSequencer();
        _commands = new CommandLane(new LinkSequence(), events, _statistics, _clock, _timings, _line.Write, () => LinkState.Connected, () => { }, NullLogger.Instance);
        _dispatcher = new FrameDispatcher(new HeartbeatLane(), _commands, events, _statistics, _clock, _line.Write, NullLogger.Instance);
        _reader = new FrameReader(new SerialLine(), _dispatcher, _statistics, _clock, _timings, NullLogger.Instance);
    }

    private (Task<byte[]> Answer, LineFrame Sent) StatusInFlight()
    {
        var answer = _commands.Submit(MessageType.GetStatus, [], whileConnecting: false);
        _commands.Service(_clock.NowMs);
        return (answer, _line.Of(MessageType.GetStatus)[^1]);
    }

    [Fact]
    public void A_damaged_frame_is_counted_and_skipped_and_the_good_frame_after_it_is_dispatched()
    {
        var (answer, sent) = StatusInFlight();
        var damaged = LineFrames.Ack(sent.Sequence, MessageType.GetStatus);
        damaged[^2] ^= 0x5A; // a CRC byte
        _reader.Feed([.. damaged, .. LineFrames.Ack(sent.Sequence, MessageType.GetStatus)], _clock.NowMs);
        Assert.Equal(1, _statistics.DamagedFrames);
        Assert.True(answer.IsCompletedSuccessfully);
    }

    [Fact]
    public void Garbage_between_frames_is_discarded_and_counted()
    {
        var (answer, sent) = StatusInFlight();
        _reader.Feed([0x00, 0x13, 0x37, .. LineFrames.Ack(sent.Sequence, MessageType.GetStatus)], _clock.NowMs);
        Assert.True(_statistics.DiscardedBytes >= 3);
        Assert.True(answer.IsCompletedSuccessfully);
    }

    [Fact]
    public void A_frame_cut_off_by_silence_is_dropped_and_the_next_one_is_read()
    {
        var (answer, sent) = StatusInFlight();
        var ack = LineFrames.Ack(sent.Sequence, MessageType.GetStatus);
        _reader.Feed(ack.AsSpan(0, 4), _clock.NowMs);
        _time.Advance(TimeSpan.FromMilliseconds(_timings.InterByteSilenceMs - 1));
        _reader.Silence(_clock.NowMs);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _reader.Silence(_clock.NowMs); // the partial frame goes now
        _reader.Feed(ack, _clock.NowMs);
        Assert.True(answer.IsCompletedSuccessfully);
        Assert.True(_statistics.DiscardedBytes >= 4);
    }

    [Fact]
    public void A_frame_error_from_the_generator_sends_the_command_again()
    {
        var (_, sent) = StatusInFlight();
        _reader.Feed(LineFrames.Encode(0, MessageType.FrameError, [(byte)RefusalReason.CrcError]), _clock.NowMs);
        _commands.Service(_clock.NowMs);
        Assert.Equal(2, _line.Of(MessageType.GetStatus).Count(f => f.Sequence == sent.Sequence));
    }

    [Fact]
    public void Events_are_acknowledged_delivered_in_order_and_EventsLost_is_told()
    {
        var delivered = new List<GeneratorEvent>();
        int told = 0;
        _dispatcher.EventReceived += delivered.Add;
        _dispatcher.EventsLost += _ => told++;
        _reader.Feed([.. LineFrames.Event(1, new EventsLostEvent(12)), .. LineFrames.Event(3, new EventsLostEvent(1))], _clock.NowMs);
        Assert.Equal([new EventsLostEvent(12)], delivered);
        Assert.Equal(1, told);
        Assert.Equal(12, _statistics.EventsLost);
        Assert.Equal(1, _statistics.EventsDropped); // SEQ 3 came before 2
        Assert.Equal([1, 1], _line.Of(MessageType.EventAck).Select(f => (int)f.Sequence));
    }
}
