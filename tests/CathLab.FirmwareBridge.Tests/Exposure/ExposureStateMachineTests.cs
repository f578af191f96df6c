using CathLab.FirmwareBridge.Exposure;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Exposure;

public sealed class ExposureStateMachineTests
{
    private static ExposureInput Pedal(ExposureKind kind) => new(ExposureTrigger.Expose, InputSource.Pedal, kind);
    private static ExposureInput Console(ExposureKind kind) => new(ExposureTrigger.Expose, InputSource.Console, kind);
    private static readonly ExposureInput Release = new(ExposureTrigger.Release, InputSource.Pedal);
    private static readonly ExposureInput Ready = new(ExposureTrigger.GeneratorReady, InputSource.Generator);

    private static ExposureStateMachine InState(ExposureState state, ExposureKind kind = ExposureKind.Fluoro)
    {
        var m = new ExposureStateMachine();
        switch (state)
        {
            case ExposureState.Idle:
                break;
            case ExposureState.Preparing:
                m.Fire(new(ExposureTrigger.Prepare, InputSource.Console, kind));
                break;
            case ExposureState.Ready:
                m.Fire(new(ExposureTrigger.Prepare, InputSource.Console, kind));
                m.Fire(Ready);
                break;
            case ExposureState.ExposingFluoro:
                m.Fire(Pedal(ExposureKind.Fluoro));
                m.Fire(Ready);
                break;
            case ExposureState.ExposingCine:
                m.Fire(Pedal(ExposureKind.Cine));
                m.Fire(Ready);
                break;
            case ExposureState.HighLevelFluoro:
                m.Fire(Pedal(ExposureKind.HighLevelFluoro));
                m.Fire(Ready);
                break;
            case ExposureState.Fault:
                m.Fire(new(ExposureTrigger.GeneratorFault, InputSource.Generator, Detail: "arc"));
                break;
        }
        Assert.Equal(state, m.State);
        return m;
    }

    [Theory]
    [InlineData(ExposureKind.Fluoro, ExposureState.ExposingFluoro)]
    [InlineData(ExposureKind.Cine, ExposureState.ExposingCine)]
    [InlineData(ExposureKind.HighLevelFluoro, ExposureState.HighLevelFluoro)]
    public void Pedal_prepares_then_exposes_when_ready_and_release_stops(ExposureKind kind, ExposureState exposing)
    {
        var m = new ExposureStateMachine();
        var t1 = m.Fire(Pedal(kind));
        Assert.Equal((ExposureState.Idle, ExposureState.Preparing), (t1.From, t1.To));
        Assert.Equal([ExposureAction.SendPrepare], t1.Actions);
        var t2 = m.Fire(Ready);
        Assert.Equal(exposing, t2.To);
        Assert.Contains(ExposureAction.SendExposeOn, t2.Actions);
        var t3 = m.Fire(Release);
        Assert.Equal(ExposureState.Ready, t3.To);
        Assert.Equal(ExposureAction.SendExposeOff, t3.Actions[0]);
    }

    [Fact]
    public void High_level_fluoro_raises_and_ends_the_continuous_alert()
    {
        var m = new ExposureStateMachine();
        m.Fire(Pedal(ExposureKind.HighLevelFluoro));
        Assert.Contains(ExposureAction.StartHighLevelAlert, m.Fire(Ready).Actions);
        Assert.Contains(ExposureAction.StopHighLevelAlert, m.Fire(Release).Actions);
    }

    [Fact]
    public void High_level_fluoro_is_refused_from_the_console()
    {
        var m = new ExposureStateMachine();
        var t = m.Fire(Console(ExposureKind.HighLevelFluoro));
        Assert.False(t.Accepted);
        Assert.Contains("continuous activation", t.Why);
        Assert.Equal(ExposureState.Idle, m.State);
    }

    [Fact]
    public void Release_while_preparing_cancels_the_pending_exposure()
    {
        var m = new ExposureStateMachine();
        m.Fire(Pedal(ExposureKind.Fluoro));
        var t = m.Fire(Release);
        Assert.True(t.Accepted);
        Assert.Empty(t.Actions);
        var ready = m.Fire(Ready);
        Assert.Equal(ExposureState.Ready, ready.To);
        Assert.DoesNotContain(ExposureAction.SendExposeOn, ready.Actions);
    }

    [Fact]
    public void Console_prepare_then_expose_from_ready()
    {
        var m = InState(ExposureState.Ready, ExposureKind.Cine);
        var t = m.Fire(Console(ExposureKind.Cine));
        Assert.Equal(ExposureState.ExposingCine, t.To);
        Assert.Equal([ExposureAction.SendExposeOn], t.Actions);
    }

    [Fact]
    public void Expose_of_another_kind_from_ready_prepares_again()
    {
        var m = InState(ExposureState.Ready, ExposureKind.Fluoro);
        var t = m.Fire(Pedal(ExposureKind.Cine));
        Assert.Equal(ExposureState.Preparing, t.To);
        Assert.Equal([ExposureAction.SendPrepare], t.Actions);
        Assert.Equal(ExposureState.ExposingCine, m.Fire(Ready).To);
    }

    [Theory]
    [InlineData(ExposureState.ExposingFluoro)]
    [InlineData(ExposureState.ExposingCine)]
    [InlineData(ExposureState.HighLevelFluoro)]
    public void A_generator_fault_while_exposing_sends_expose_off_and_faults(ExposureState state)
    {
        var m = InState(state);
        var t = m.Fire(new(ExposureTrigger.GeneratorFault, InputSource.Generator, Detail: "arc"));
        Assert.Equal(ExposureState.Fault, t.To);
        Assert.Contains(ExposureAction.SendExposeOff, t.Actions);
    }

    [Theory]
    [InlineData(ExposureState.Idle)]
    [InlineData(ExposureState.Preparing)]
    [InlineData(ExposureState.Ready)]
    [InlineData(ExposureState.ExposingFluoro)]
    [InlineData(ExposureState.ExposingCine)]
    [InlineData(ExposureState.HighLevelFluoro)]
    [InlineData(ExposureState.Fault)]
    public void A_lost_link_from_any_state_stops_heartbeats_and_faults(ExposureState state)
    {
        var m = InState(state);
        var t = m.Fire(new(ExposureTrigger.LinkLost, InputSource.Link, Detail: "port gone"));
        Assert.Equal(ExposureState.Fault, t.To);
        Assert.Contains(ExposureAction.StopHeartbeat, t.Actions);
    }

    [Fact]
    public void A_link_restored_after_an_idle_loss_clears_the_fault_and_resumes_heartbeats()
    {
        var m = InState(ExposureState.Idle);
        m.Fire(new(ExposureTrigger.LinkLost, InputSource.Link, Detail: "port gone"));
        var t = m.Fire(new(ExposureTrigger.LinkRestoredIdle, InputSource.Link));
        Assert.True(t.Accepted, t.ToString());
        Assert.Equal(ExposureState.Idle, t.To);
        Assert.Equal([ExposureAction.ResumeHeartbeat], t.Actions);
    }

    [Theory]
    [InlineData(ExposureState.Idle)]
    [InlineData(ExposureState.Ready)]
    [InlineData(ExposureState.ExposingFluoro)]
    public void A_link_restored_outside_a_fault_changes_nothing(ExposureState state)
    {
        var m = InState(state);
        var t = m.Fire(new(ExposureTrigger.LinkRestoredIdle, InputSource.Link));
        Assert.False(t.Accepted);
        Assert.Equal(state, m.State);
        Assert.Empty(t.Actions);
    }

    [Theory]
    [InlineData(ExposureState.Idle)]
    [InlineData(ExposureState.Ready)]
    [InlineData(ExposureState.ExposingCine)]
    public void Watchdog_always_sends_expose_off(ExposureState state)
    {
        var m = InState(state);
        var t = m.Fire(new(ExposureTrigger.WatchdogTripped, InputSource.Watchdog, Detail: "pulse outside an exposure"));
        Assert.Equal(ExposureState.Fault, t.To);
        Assert.Contains(ExposureAction.SendExposeOff, t.Actions);
    }

    [Fact]
    public void Fault_is_left_only_by_a_reset_and_exposure_is_refused_meanwhile()
    {
        var m = InState(ExposureState.Fault);
        Assert.False(m.Fire(Pedal(ExposureKind.Fluoro)).Accepted);
        Assert.False(m.Fire(Ready).Accepted);
        Assert.False(m.Fire(Release).Accepted);
        var reset = m.Fire(new(ExposureTrigger.FaultReset, InputSource.Console));
        Assert.Equal(ExposureState.Idle, reset.To);
        Assert.Contains(ExposureAction.ResumeHeartbeat, reset.Actions);
        Assert.True(m.Fire(Pedal(ExposureKind.Fluoro)).Accepted);
    }

    [Fact]
    public void Generator_ending_the_exposure_returns_to_ready()
    {
        var m = InState(ExposureState.ExposingFluoro);
        var t = m.Fire(new(ExposureTrigger.GeneratorExposureEnded, InputSource.Generator, Detail: "TubeHot"));
        Assert.Equal(ExposureState.Ready, t.To);
        Assert.Empty(t.Actions);
    }

    [Fact]
    public void Ready_timeout_in_the_generator_returns_to_idle()
    {
        var m = InState(ExposureState.Ready);
        Assert.Equal(ExposureState.Idle, m.Fire(new(ExposureTrigger.GeneratorIdle, InputSource.Generator)).To);
    }

    [Fact]
    public void A_refused_command_faults_and_stops_any_emission()
    {
        var m = InState(ExposureState.ExposingFluoro);
        var t = m.Fire(new(ExposureTrigger.CommandRefused, InputSource.Generator, Detail: "ExposeOn refused: interlock open"));
        Assert.Equal(ExposureState.Fault, t.To);
        Assert.Contains(ExposureAction.SendExposeOff, t.Actions);
    }

    [Fact]
    public void Inputs_without_a_kind_are_refused()
    {
        var m = new ExposureStateMachine();
        Assert.False(m.Fire(new(ExposureTrigger.Expose, InputSource.Pedal)).Accepted);
        Assert.False(m.Fire(new(ExposureTrigger.Prepare, InputSource.Console)).Accepted);
    }

    /// <summary>Every state × every trigger: the machine never throws, never leaves a refused input's state,
    /// and never asks for ExposeOn outside a transition into an exposing state.</summary>
    [Fact]
    public void Every_state_and_trigger_pair_is_defined()
    {
        foreach (var state in Enum.GetValues<ExposureState>())
        {
            foreach (var trigger in Enum.GetValues<ExposureTrigger>())
            {
                foreach (var source in new[] { InputSource.Pedal, InputSource.Console })
                {
                    var m = InState(state);
                    var t = m.Fire(new(trigger, source, ExposureKind.Fluoro, "test"));
                    Assert.Equal(state, t.From);
                    Assert.Equal(t.To, m.State);
                    if (!t.Accepted)
                    {
                        Assert.Equal(state, t.To);
                        Assert.Empty(t.Actions);
                        Assert.False(string.IsNullOrEmpty(t.Why));
                    }
                    if (t.Actions.Contains(ExposureAction.SendExposeOn)) Assert.True(t.To.IsExposing());
                    if (t.From.IsExposing() && !t.To.IsExposing() && trigger != ExposureTrigger.GeneratorExposureEnded && trigger != ExposureTrigger.LinkLost)
                    {
                        Assert.Contains(ExposureAction.SendExposeOff, t.Actions);
                    }
                }
            }
        }
    }
}
