using CathLab.FirmwareBridge.Link;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CathLab.FirmwareBridge.Tests.Lanes;

/// <summary>The command lane alone, stepped by hand on a fake clock: stop-and-wait, retries with the same SEQ,
/// timeouts, ExposeOff pre-emption and the removal of queued ExposeOn.</summary>
public sealed class CommandLaneTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly LineRecorder _line = new();
    private readonly LinkTimings _timings = new() { AnswerTimeout = TimeSpan.FromMilliseconds(40), MaxRetries = 3 };
    private readonly CommandLane _lane;
    private readonly LinkClock _clock;
    private LinkState _state = LinkState.Connected;

    public CommandLaneTests()
    {
        _clock = new LinkClock(_time);
        Statistics = new LinkStatistics(_timings.AnswerTimeout);
        _lane = new CommandLane(new LinkSequence(), new EventSequencer(), Statistics, _clock, _timings, _line.Write, () => _state, () => { }, NullLogger.Instance);
    }

    private LinkStatistics Statistics { get; }

    private void Step(int ms = 0)
    {
        _time.Advance(TimeSpan.FromMilliseconds(ms));
        _lane.Service(_clock.NowMs);
    }

    private void Answer(LineFrame command, MessageType type = MessageType.Ack) =>
        _lane.OnAnswer(command.Sequence, type, [(byte)command.Type]);

    [Fact]
    public void One_command_at_a_time_and_an_answer_settles_it()
    {
        var first = _lane.Submit(MessageType.GetStatus, [], whileConnecting: false);
        var second = _lane.Submit(MessageType.ResetFault, [], whileConnecting: false);
        Step();
        Assert.Single(_line.Frames); // stop-and-wait: the second waits for the first's answer
        Answer(_line.Frames[0]);
        Assert.True(first.IsCompletedSuccessfully);
        Step();
        Assert.Equal([MessageType.GetStatus, MessageType.ResetFault], _line.Frames.Select(f => f.Type));
        Assert.NotEqual(_line.Frames[0].Sequence, _line.Frames[1].Sequence);
        Answer(_line.Frames[1]);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.Equal(0, Statistics.AnswersOutsideWindow);
    }

    [Fact]
    public void A_silent_generator_gets_the_same_sequence_again_after_each_timeout_then_the_lane_gives_up()
    {
        string? silent = null;
        _lane.GeneratorSilent += why => silent = why;
        var status = _lane.Submit(MessageType.GetStatus, [], whileConnecting: false);
        Step();
        Step(39);
        Assert.Single(_line.Frames); // not before the answer timeout
        for (int retry = 1; retry <= _timings.MaxRetries; retry++)
        {
            Step(1);
            Assert.Equal(retry + 1, _line.Frames.Count);
            Step(39);
        }
        Assert.All(_line.Frames, f => Assert.Equal(_line.Frames[0].Sequence, f.Sequence));
        Assert.Null(silent);
        Step(1);
        Assert.Equal(_timings.MaxRetries + 1, _line.Frames.Count);
        Assert.IsType<GeneratorLinkDownException>(status.Exception!.InnerException);
        Assert.NotNull(silent);
        Assert.Equal(_timings.MaxRetries + 1, Statistics.AnswerTimeouts);
        Assert.Equal(_timings.MaxRetries, Statistics.Retransmissions);
    }

    [Fact]
    public void A_frame_error_sends_the_command_again_at_once_with_its_sequence()
    {
        var status = _lane.Submit(MessageType.GetStatus, [], whileConnecting: false);
        Step();
        _lane.OnFrameError();
        Step();
        Assert.Equal(2, _line.Frames.Count);
        Assert.Equal(_line.Frames[0].Sequence, _line.Frames[1].Sequence);
        Answer(_line.Frames[1]);
        Assert.True(status.IsCompletedSuccessfully);
        Assert.Equal(0, Statistics.AnswerTimeouts);
    }

    [Fact]
    public void A_late_answer_counts_outside_the_window()
    {
        _lane.Submit(MessageType.GetStatus, [], whileConnecting: false);
        Step();
        _time.Advance(TimeSpan.FromMilliseconds(41)); // arrives after the window, before the lane noticed
        Answer(_line.Frames[0]);
        Assert.Equal(1, Statistics.LateAnswers);
        Assert.Equal(41, Statistics.AnswerLatency.MaxMilliseconds, 3);
    }

    [Fact]
    public void A_refusal_fails_the_command_with_its_reason()
    {
        var on = _lane.Submit(MessageType.ExposeOn, [(byte)ExposureKind.Fluoro], whileConnecting: false);
        Step();
        var nak = LineFrames.Fields((ref PayloadWriter w) => new Refusal(MessageType.ExposeOn, RefusalReason.NotPrepared, "not prepared").Write(ref w));
        _lane.OnAnswer(_line.Frames[0].Sequence, MessageType.Nak, nak);
        Assert.Equal(RefusalReason.NotPrepared, Assert.IsType<GeneratorRefusedException>(on.Exception!.InnerException).Reason);
    }

    [Fact]
    public void ExposeOff_preempts_the_command_in_flight_which_is_never_sent_again()
    {
        var technique = _lane.Submit(MessageType.SetTechnique, TestTechnique, whileConnecting: false);
        Step();
        var off = _lane.Submit(MessageType.ExposeOff, [], whileConnecting: false);
        Step();
        Assert.IsType<CommandPreemptedException>(technique.Exception!.InnerException);
        Assert.Equal([MessageType.SetTechnique, MessageType.ExposeOff], _line.Frames.Select(f => f.Type));
        Answer(_line.Frames[0]); // the pre-empted command's late answer changes nothing
        Answer(_line.Frames[1]);
        Assert.True(off.IsCompletedSuccessfully);
        Step(1000);
        Assert.Single(_line.Of(MessageType.SetTechnique));
    }

    [Fact]
    public void ExposeOff_goes_ahead_of_queued_commands_and_takes_queued_ExposeOn_out()
    {
        var prepare = _lane.Submit(MessageType.Prepare, [(byte)ExposureKind.Fluoro], whileConnecting: false);
        Step();
        var status = _lane.Submit(MessageType.GetStatus, [], whileConnecting: false);
        var on = _lane.Submit(MessageType.ExposeOn, [(byte)ExposureKind.Fluoro], whileConnecting: false);
        var off = _lane.Submit(MessageType.ExposeOff, [], whileConnecting: false);
        Assert.IsType<CommandPreemptedException>(on.Exception!.InnerException); // at once, before anything is sent
        Step();
        Assert.IsType<CommandPreemptedException>(prepare.Exception!.InnerException);
        Assert.Equal(MessageType.ExposeOff, _line.Frames[^1].Type);
        Answer(_line.Frames[^1]);
        Step();
        Assert.Equal(MessageType.GetStatus, _line.Frames[^1].Type); // queued work that does not restart emission still goes
        Answer(_line.Frames[^1]);
        Assert.True(off.IsCompletedSuccessfully && status.IsCompletedSuccessfully);
        Assert.Empty(_line.Of(MessageType.ExposeOn));
    }

    [Fact]
    public void Identify_is_not_preempted_by_ExposeOff()
    {
        _state = LinkState.Connecting;
        var identify = _lane.Submit(MessageType.Identify, [], whileConnecting: true);
        Step();
        _lane.Submit(MessageType.ExposeOff, [], whileConnecting: true);
        Step();
        Assert.False(identify.IsCompleted);
        Assert.Single(_line.Frames);
        Answer(_line.Frames[0]);
        Step();
        Assert.True(identify.IsCompletedSuccessfully);
        Assert.Equal(MessageType.ExposeOff, _line.Frames[^1].Type);
    }

    [Fact]
    public void Nothing_but_the_connection_commands_go_while_the_link_is_not_connected()
    {
        _state = LinkState.Down;
        var on = _lane.Submit(MessageType.ExposeOn, [(byte)ExposureKind.Fluoro], whileConnecting: false);
        Assert.IsType<GeneratorLinkDownException>(on.Exception!.InnerException);
        Step();
        Assert.Empty(_line.Frames);
    }

    [Fact]
    public void A_link_going_down_fails_the_command_in_flight_and_the_queue()
    {
        var first = _lane.Submit(MessageType.GetStatus, [], whileConnecting: false);
        var queued = _lane.Submit(MessageType.ResetFault, [], whileConnecting: false);
        Step();
        _lane.OnLinkDown("test");
        Step();
        Assert.IsType<GeneratorLinkDownException>(first.Exception!.InnerException);
        Assert.IsType<GeneratorLinkDownException>(queued.Exception!.InnerException);
        Assert.Single(_line.Frames);
    }

    [Fact]
    public void A_write_that_fails_ends_the_command_as_not_delivered()
    {
        _line.Accepting = false;
        var status = _lane.Submit(MessageType.GetStatus, [], whileConnecting: false);
        Step();
        Assert.IsType<GeneratorLinkDownException>(status.Exception!.InnerException);
    }

    private static byte[] TestTechnique => LineFrames.Fields((ref PayloadWriter w) =>
        new TechniqueSetting(ExposureKind.Fluoro, new Technique(70, 10, 5), 15).Write(ref w));
}
