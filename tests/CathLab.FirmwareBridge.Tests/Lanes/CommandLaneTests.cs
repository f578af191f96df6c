using CathLab.FirmwareBridge.Link;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Time.Testing;

namespace CathLab.FirmwareBridge.Tests.Lanes;

/// <summary>The command lane alone, stepped by hand on a fake clock: stop-and-wait, retries with the same SEQ,
/// timeouts, ExposeOff pre-emption and the removal of queued ExposeOn.</summary>
public sealed class CommandLaneTests
{
    private readonly LaneRig _rig = new(new LinkTimings { AnswerTimeout = TimeSpan.FromMilliseconds(40), MaxRetries = 3 });
    private FakeTimeProvider Time => _rig.Time;
    private LineRecorder Line => _rig.Line;
    private LinkTimings Timings => _rig.Timings;
    private CommandLane Lane => _rig.Commands;
    private LinkStatistics Statistics => _rig.Statistics;
    private LinkState State { set => _rig.State = value; }

    private void Step(int ms = 0)
    {
        Time.Advance(TimeSpan.FromMilliseconds(ms));
        Lane.Service(_rig.Now);
    }

    private void Answer(LineFrame command, MessageType type = MessageType.Ack) =>
        Lane.OnAnswer(command.Sequence, type, [(byte)command.Type]);

    [Fact]
    public void One_command_at_a_time_and_an_answer_settles_it()
    {
        var first = Lane.Submit(MessageType.GetStatus, [], whileConnecting: false);
        var second = Lane.Submit(MessageType.ResetFault, [], whileConnecting: false);
        Step();
        Assert.Single(Line.Frames); // stop-and-wait: the second waits for the first's answer
        Answer(Line.Frames[0]);
        Assert.True(first.IsCompletedSuccessfully);
        Step();
        Assert.Equal([MessageType.GetStatus, MessageType.ResetFault], Line.Frames.Select(f => f.Type));
        Assert.NotEqual(Line.Frames[0].Sequence, Line.Frames[1].Sequence);
        Answer(Line.Frames[1]);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.Equal(0, Statistics.AnswersOutsideWindow);
    }

    [Fact]
    public void A_silent_generator_gets_the_same_sequence_again_after_each_timeout_then_the_lane_gives_up()
    {
        string? silent = null;
        Lane.GeneratorSilent += why => silent = why;
        var status = Lane.Submit(MessageType.GetStatus, [], whileConnecting: false);
        Step();
        Step(39);
        Assert.Single(Line.Frames); // not before the answer timeout
        for (int retry = 1; retry <= Timings.MaxRetries; retry++)
        {
            Step(1);
            Assert.Equal(retry + 1, Line.Frames.Count);
            Step(39);
        }
        Assert.All(Line.Frames, f => Assert.Equal(Line.Frames[0].Sequence, f.Sequence));
        Assert.Null(silent);
        Step(1);
        Assert.Equal(Timings.MaxRetries + 1, Line.Frames.Count);
        Assert.IsType<GeneratorLinkDownException>(status.Exception!.InnerException);
        Assert.NotNull(silent);
        Assert.Equal(Timings.MaxRetries + 1, Statistics.AnswerTimeouts);
        Assert.Equal(Timings.MaxRetries, Statistics.Retransmissions);
    }

    [Fact]
    public void A_frame_error_sends_the_command_again_at_once_with_its_sequence()
    {
        var status = Lane.Submit(MessageType.GetStatus, [], whileConnecting: false);
        Step();
        Lane.OnFrameError();
        Step();
        Assert.Equal(2, Line.Frames.Count);
        Assert.Equal(Line.Frames[0].Sequence, Line.Frames[1].Sequence);
        Answer(Line.Frames[1]);
        Assert.True(status.IsCompletedSuccessfully);
        Assert.Equal(0, Statistics.AnswerTimeouts);
    }

    [Fact]
    public void A_late_answer_counts_outside_the_window()
    {
        Lane.Submit(MessageType.GetStatus, [], whileConnecting: false);
        Step();
        Time.Advance(TimeSpan.FromMilliseconds(41)); // arrives after the window, before the lane noticed
        Answer(Line.Frames[0]);
        Assert.Equal(1, Statistics.LateAnswers);
        Assert.Equal(41, Statistics.AnswerLatency.MaxMilliseconds, 3);
    }

    [Fact]
    public void A_refusal_fails_the_command_with_its_reason()
    {
        var on = Lane.Submit(MessageType.ExposeOn, [(byte)ExposureKind.Fluoro], whileConnecting: false);
        Step();
        var nak = LineFrames.Fields((ref PayloadWriter w) => new Refusal(MessageType.ExposeOn, RefusalReason.NotPrepared, "not prepared").Write(ref w));
        Lane.OnAnswer(Line.Frames[0].Sequence, MessageType.Nak, nak);
        Assert.Equal(RefusalReason.NotPrepared, Assert.IsType<GeneratorRefusedException>(on.Exception!.InnerException).Reason);
    }

    [Fact]
    public void ExposeOff_preempts_the_command_in_flight_which_is_never_sent_again()
    {
        var technique = Lane.Submit(MessageType.SetTechnique, TestTechnique, whileConnecting: false);
        Step();
        var off = Lane.Submit(MessageType.ExposeOff, [], whileConnecting: false);
        Step();
        Assert.IsType<CommandPreemptedException>(technique.Exception!.InnerException);
        Assert.Equal([MessageType.SetTechnique, MessageType.ExposeOff], Line.Frames.Select(f => f.Type));
        Answer(Line.Frames[0]); // the pre-empted command's late answer changes nothing
        Answer(Line.Frames[1]);
        Assert.True(off.IsCompletedSuccessfully);
        Step(1000);
        Assert.Single(Line.Of(MessageType.SetTechnique));
    }

    [Fact]
    public void ExposeOff_goes_ahead_of_queued_commands_and_takes_queued_ExposeOn_out()
    {
        var prepare = Lane.Submit(MessageType.Prepare, [(byte)ExposureKind.Fluoro], whileConnecting: false);
        Step();
        var status = Lane.Submit(MessageType.GetStatus, [], whileConnecting: false);
        var on = Lane.Submit(MessageType.ExposeOn, [(byte)ExposureKind.Fluoro], whileConnecting: false);
        var off = Lane.Submit(MessageType.ExposeOff, [], whileConnecting: false);
        Assert.IsType<CommandPreemptedException>(on.Exception!.InnerException); // at once, before anything is sent
        Step();
        Assert.IsType<CommandPreemptedException>(prepare.Exception!.InnerException);
        Assert.Equal(MessageType.ExposeOff, Line.Frames[^1].Type);
        Answer(Line.Frames[^1]);
        Step();
        Assert.Equal(MessageType.GetStatus, Line.Frames[^1].Type); // queued work that does not restart emission still goes
        Answer(Line.Frames[^1]);
        Assert.True(off.IsCompletedSuccessfully && status.IsCompletedSuccessfully);
        Assert.Empty(Line.Of(MessageType.ExposeOn));
    }

    [Fact]
    public void Identify_is_not_preempted_by_ExposeOff()
    {
        State = LinkState.Connecting;
        var identify = Lane.Submit(MessageType.Identify, [], whileConnecting: true);
        Step();
        Lane.Submit(MessageType.ExposeOff, [], whileConnecting: true);
        Step();
        Assert.False(identify.IsCompleted);
        Assert.Single(Line.Frames);
        Answer(Line.Frames[0]);
        Step();
        Assert.True(identify.IsCompletedSuccessfully);
        Assert.Equal(MessageType.ExposeOff, Line.Frames[^1].Type);
    }

    [Fact]
    public void Nothing_but_the_connection_commands_go_while_the_link_is_not_connected()
    {
        State = LinkState.Down;
        var on = Lane.Submit(MessageType.ExposeOn, [(byte)ExposureKind.Fluoro], whileConnecting: false);
        Assert.IsType<GeneratorLinkDownException>(on.Exception!.InnerException);
        Step();
        Assert.Empty(Line.Frames);
    }

    [Fact]
    public void A_link_going_down_fails_the_command_in_flight_and_the_queue()
    {
        var first = Lane.Submit(MessageType.GetStatus, [], whileConnecting: false);
        var queued = Lane.Submit(MessageType.ResetFault, [], whileConnecting: false);
        Step();
        Lane.OnLinkDown("test");
        Step();
        Assert.IsType<GeneratorLinkDownException>(first.Exception!.InnerException);
        Assert.IsType<GeneratorLinkDownException>(queued.Exception!.InnerException);
        Assert.Single(Line.Frames);
    }

    [Fact]
    public void A_write_that_fails_ends_the_command_as_not_delivered()
    {
        Line.Accepting = false;
        var status = Lane.Submit(MessageType.GetStatus, [], whileConnecting: false);
        Step();
        Assert.IsType<GeneratorLinkDownException>(status.Exception!.InnerException);
    }

    private static byte[] TestTechnique => LineFrames.Fields((ref PayloadWriter w) =>
        new TechniqueSetting(ExposureKind.Fluoro, new Technique(70, 10, 5), 15).Write(ref w));
}
