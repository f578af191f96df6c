using CathLab.FirmwareBridge.Exposure;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Exposure;

public sealed class ExposureStateMachineTests
{
    internal static ExposureInput Pedal(ExposureKind kind) => new(ExposureTrigger.Expose, InputSource.HardwarePedal, kind, Held: true);
    internal static ExposureInput Console(ExposureKind kind) => new(ExposureTrigger.Expose, InputSource.Console, kind);
    internal static readonly ExposureInput Release = new(ExposureTrigger.Release, InputSource.HardwarePedal, Held: true);
    internal static readonly ExposureInput Ready = new(ExposureTrigger.GeneratorReady, InputSource.Generator);
    internal static readonly ExposureInput Started = new(ExposureTrigger.GeneratorExposureStarted, InputSource.Generator);
    internal static readonly ExposureInput Ended = new(ExposureTrigger.GeneratorExposureEnded, InputSource.Generator);
    internal static readonly ExposureInput Pulse = new(ExposureTrigger.GeneratorPulse, InputSource.Generator, Detail: "pulse 1");
    internal static readonly ExposureInput Lost = new(ExposureTrigger.LinkLost, InputSource.Link, Detail: "port gone");
    internal static readonly ExposureInput Up = new(ExposureTrigger.LinkUp, InputSource.Link);

    /// <summary>A machine brought to <paramref name="state"/> through inputs only; <paramref name="emitting"/> adds the
    /// generator's ExposureStarted where that can happen.</summary>
    internal static ExposureStateMachine InState(ExposureState state, ExposureKind kind = ExposureKind.Fluoro, bool emitting = false)
    {
        var m = new ExposureStateMachine();
        switch (state)
        {
            case ExposureState.Idle:
                break;
            case ExposureState.Preparing:
                m.Fire(new(ExposureTrigger.Prepare, InputSource.Console, kind));
                break;
            case ExposureState.PreparingToExpose:
                m.Fire(Pedal(kind));
                break;
            case ExposureState.Ready:
                m.Fire(new(ExposureTrigger.Prepare, InputSource.Console, kind));
                m.Fire(Ready);
                break;
            case ExposureState.ExposingFluoro:
            case ExposureState.ExposingCine:
            case ExposureState.HighLevelFluoro:
                m.Fire(Pedal(state switch { ExposureState.ExposingCine => ExposureKind.Cine, ExposureState.HighLevelFluoro => ExposureKind.HighLevelFluoro, _ => ExposureKind.Fluoro }));
                m.Fire(Ready);
                if (emitting) m.Fire(Started);
                break;
            case ExposureState.Stopping:
                m.Fire(Pedal(kind));
                m.Fire(Ready);
                if (emitting) m.Fire(Started);
                m.Fire(Release);
                break;
            case ExposureState.Fault:
                m.Fire(new(ExposureTrigger.GeneratorFault, InputSource.Generator, Detail: "arc"));
                break;
            case ExposureState.LinkDown:
                m.Fire(Lost);
                break;
            case ExposureState.Resetting:
                m.Fire(new(ExposureTrigger.GeneratorFault, InputSource.Generator, Detail: "arc"));
                m.Fire(new(ExposureTrigger.FaultResetRequested, InputSource.Console));
                break;
        }
        if (emitting && !m.Emitting) m.Fire(Started);
        Assert.Equal(state, m.State);
        return m;
    }

    [Theory]
    [InlineData(ExposureKind.Fluoro, ExposureState.ExposingFluoro)]
    [InlineData(ExposureKind.Cine, ExposureState.ExposingCine)]
    [InlineData(ExposureKind.HighLevelFluoro, ExposureState.HighLevelFluoro)]
    public void A_held_pedal_prepares_exposes_when_ready_and_release_stops_until_the_generator_confirms(ExposureKind kind, ExposureState exposing)
    {
        var m = new ExposureStateMachine();
        var t1 = m.Fire(Pedal(kind));
        Assert.Equal((ExposureState.Idle, ExposureState.PreparingToExpose), (t1.From, t1.To));
        Assert.Equal([ExposureAction.SendPrepare], t1.Actions);
        var t2 = m.Fire(Ready);
        Assert.Equal(exposing, t2.To);
        Assert.Equal(ExposureAction.SendExposeOn, t2.Actions[0]);
        m.Fire(Started);
        Assert.True(m.Emitting);
        var t3 = m.Fire(Release);
        Assert.Equal(ExposureState.Stopping, t3.To);
        Assert.Equal(ExposureAction.SendExposeOff, t3.Actions[0]);
        Assert.Equal(ExposureState.Stopping, m.Fire(new(ExposureTrigger.ExposeOffConfirmed, InputSource.Generator)).To);
        Assert.Equal(ExposureState.Ready, m.Fire(Ended).To);
        Assert.False(m.Emitting);
    }

    [Fact]
    public void An_expose_on_that_never_started_is_stopped_by_the_expose_off_acknowledgement()
    {
        var m = InState(ExposureState.ExposingFluoro);
        m.Fire(Release);
        Assert.Equal(ExposureState.Ready, m.Fire(new(ExposureTrigger.ExposeOffConfirmed, InputSource.Generator)).To);
    }

    [Fact]
    public void Exposure_without_a_held_switch_is_refused_whatever_the_kind()
    {
        foreach (var kind in Enum.GetValues<ExposureKind>())
        {
            var m = InState(ExposureState.Ready, kind);
            var t = m.Fire(Console(kind));
            Assert.False(t.Accepted);
            Assert.Contains("held switch", t.Why);
            Assert.Equal(ExposureState.Ready, m.State);
        }
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
    public void Release_while_preparing_cancels_the_pending_exposure()
    {
        var m = new ExposureStateMachine();
        m.Fire(Pedal(ExposureKind.Fluoro));
        var t = m.Fire(Release);
        Assert.Equal(ExposureState.Preparing, t.To);
        Assert.Empty(t.Actions);
        var ready = m.Fire(Ready);
        Assert.Equal(ExposureState.Ready, ready.To);
        Assert.DoesNotContain(ExposureAction.SendExposeOn, ready.Actions);
    }

    [Fact]
    public void Expose_of_another_kind_from_ready_prepares_again()
    {
        var m = InState(ExposureState.Ready, ExposureKind.Fluoro);
        var t = m.Fire(Pedal(ExposureKind.Cine));
        Assert.Equal(ExposureState.PreparingToExpose, t.To);
        Assert.Equal([ExposureAction.SendPrepare], t.Actions);
        Assert.Equal(ExposureState.ExposingCine, m.Fire(Ready).To);
    }

    [Theory]
    [InlineData(ExposureState.ExposingFluoro)]
    [InlineData(ExposureState.ExposingCine)]
    [InlineData(ExposureState.HighLevelFluoro)]
    [InlineData(ExposureState.Stopping)]
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
    public void A_link_lost_with_nothing_commanded_goes_to_link_down_and_clears_when_the_generator_is_idle(ExposureState state)
    {
        var m = InState(state);
        var t = m.Fire(Lost);
        Assert.Equal(ExposureState.LinkDown, t.To);
        Assert.Equal([ExposureAction.StopHeartbeat], t.Actions);
        Assert.False(m.Fire(Pedal(ExposureKind.Fluoro)).Accepted);
        Assert.Equal([ExposureAction.ReadStatus], m.Fire(Up).Actions);
        var back = m.Fire(new(ExposureTrigger.StatusIdle, InputSource.Generator));
        Assert.Equal(ExposureState.Idle, back.To);
        Assert.Equal([ExposureAction.ResumeHeartbeat], back.Actions);
    }

    [Theory]
    [InlineData(ExposureState.PreparingToExpose)]
    [InlineData(ExposureState.ExposingFluoro)]
    [InlineData(ExposureState.ExposingCine)]
    [InlineData(ExposureState.HighLevelFluoro)]
    [InlineData(ExposureState.Stopping)]
    [InlineData(ExposureState.Fault)]
    public void A_link_lost_with_emission_commanded_or_unknown_faults_and_stays_faulted_when_it_is_back(ExposureState state)
    {
        var m = InState(state);
        var t = m.Fire(Lost);
        Assert.Equal(ExposureState.Fault, t.To);
        Assert.Contains(ExposureAction.StopHeartbeat, t.Actions);
        m.Fire(Up);
        Assert.False(m.Fire(new(ExposureTrigger.StatusIdle, InputSource.Generator)).Accepted);
        Assert.Equal(ExposureState.Fault, m.State);
    }

    [Fact]
    public void A_link_lost_while_the_generator_reports_emission_faults_even_when_idle()
    {
        var m = InState(ExposureState.Ready);
        m.Fire(Started);
        Assert.Equal(ExposureState.Fault, m.Fire(Lost).To);
    }

    [Fact]
    public void The_generator_busy_after_an_idle_loss_faults_and_sends_expose_off()
    {
        var m = InState(ExposureState.LinkDown);
        m.Fire(Up);
        var t = m.Fire(new(ExposureTrigger.StatusReady, InputSource.Generator));
        Assert.Equal(ExposureState.Fault, t.To);
        Assert.Contains(ExposureAction.SendExposeOff, t.Actions);
    }

    [Theory]
    [InlineData(ExposureState.Idle)]
    [InlineData(ExposureState.Ready)]
    [InlineData(ExposureState.Fault)]
    public void A_pulse_outside_an_exposure_is_the_watchdogs_and_sends_expose_off(ExposureState state)
    {
        var m = InState(state);
        var t = m.Fire(Pulse);
        Assert.Equal(ExposureState.Fault, t.To);
        Assert.Contains(ExposureAction.SendExposeOff, t.Actions);
        Assert.Contains(ExposureAction.CountUnexpectedPulse, t.Actions);
    }

    [Fact]
    public void A_pulse_after_release_but_before_the_generators_end_is_the_one_allowed()
    {
        var m = InState(ExposureState.Stopping, emitting: true);
        var t = m.Fire(Pulse);
        Assert.Equal(ExposureState.Stopping, t.To);
        Assert.DoesNotContain(ExposureAction.CountUnexpectedPulse, t.Actions);
    }

    [Fact]
    public void Emission_the_station_did_not_command_is_answered_with_expose_off()
    {
        var m = InState(ExposureState.Idle);
        var t = m.Fire(Started);
        Assert.Contains(ExposureAction.SendExposeOff, t.Actions);
        Assert.True(m.Emitting);
    }

    [Fact]
    public void Fault_is_left_only_by_a_reset_and_exposure_is_refused_meanwhile()
    {
        var m = InState(ExposureState.Fault);
        Assert.False(m.Fire(Pedal(ExposureKind.Fluoro)).Accepted);
        Assert.False(m.Fire(Ready).Accepted);
        Assert.False(m.Fire(Release).Accepted);
        var reset = m.Fire(new(ExposureTrigger.FaultResetRequested, InputSource.Console));
        Assert.Equal(ExposureState.Resetting, reset.To);
        Assert.Equal([ExposureAction.ResumeHeartbeat, ExposureAction.RunFaultReset], reset.Actions);
        Assert.False(m.Fire(Pedal(ExposureKind.Fluoro)).Accepted);
        Assert.Equal(ExposureState.Idle, m.Fire(new(ExposureTrigger.FaultResetSucceeded, InputSource.Generator)).To);
        Assert.True(m.Fire(Pedal(ExposureKind.Fluoro)).Accepted);
    }

    [Fact]
    public void A_failed_reset_stays_in_fault()
    {
        var m = InState(ExposureState.Resetting);
        Assert.Equal(ExposureState.Fault, m.Fire(new(ExposureTrigger.FaultResetFailed, InputSource.Generator)).To);
    }

    [Fact]
    public void A_reset_needs_the_link()
    {
        var m = InState(ExposureState.Fault);
        m.Fire(Lost);
        var t = m.Fire(new(ExposureTrigger.FaultResetRequested, InputSource.Console));
        Assert.False(t.Accepted);
        Assert.Contains("link is down", t.Why);
    }

    [Theory]
    [InlineData(ExposureState.ExposingFluoro, ExposureState.Stopping)]
    [InlineData(ExposureState.PreparingToExpose, ExposureState.Preparing)]
    [InlineData(ExposureState.Ready, ExposureState.Ready)]
    [InlineData(ExposureState.Idle, ExposureState.Idle)]
    public void An_emergency_stop_always_sends_expose_off_while_the_link_is_up(ExposureState state, ExposureState after)
    {
        var m = InState(state);
        var t = m.Fire(new(ExposureTrigger.EmergencyStop, InputSource.Station, Detail: "shutdown"));
        Assert.Equal(after, t.To);
        Assert.Contains(ExposureAction.SendExposeOff, t.Actions);
    }

    [Fact]
    public void Generator_ending_the_exposure_returns_to_ready()
    {
        var m = InState(ExposureState.ExposingFluoro, emitting: true);
        var t = m.Fire(Ended with { Detail = "TubeHot" });
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
        Assert.False(m.Fire(new(ExposureTrigger.Expose, InputSource.HardwarePedal, Held: true)).Accepted);
        Assert.False(m.Fire(new(ExposureTrigger.Prepare, InputSource.Console)).Accepted);
    }

    [Fact]
    public void Nothing_is_exposed_while_the_link_is_down()
    {
        var m = new ExposureStateMachine(linkUp: false);
        var t = m.Fire(Pedal(ExposureKind.Fluoro));
        Assert.False(t.Accepted);
        Assert.Contains("link is down", t.Why);
        m.Fire(Up);
        Assert.True(m.Fire(Pedal(ExposureKind.Fluoro)).Accepted);
    }

    public static TheoryData<ExposureState, bool> Reachable()
    {
        var data = new TheoryData<ExposureState, bool>();
        foreach (var state in Enum.GetValues<ExposureState>())
        {
            data.Add(state, false);
            data.Add(state, true);
        }
        return data;
    }

    /// <summary>Every state × every trigger × held or not × each kind: the machine never throws, a refused input changes
    /// nothing, ExposeOn only enters an exposing state, leaving an exposing state other than by the generator's own end
    /// or a lost link always sends ExposeOff, and a fault with emission possible sends ExposeOff.</summary>
    [Theory]
    [MemberData(nameof(Reachable))]
    public void Every_state_and_input_pair_keeps_the_safety_rules(ExposureState state, bool emitting)
    {
        foreach (var trigger in Enum.GetValues<ExposureTrigger>())
        {
            foreach (var held in new[] { true, false })
            {
                foreach (var kind in new ExposureKind?[] { null, ExposureKind.Fluoro, ExposureKind.Cine, ExposureKind.HighLevelFluoro })
                {
                    var m = InState(state, emitting: emitting);
                    bool emittingBefore = m.Emitting;
                    var t = m.Fire(new(trigger, InputSource.Console, kind, "test", held));
                    Assert.Equal(state, t.From);
                    Assert.Equal(t.To, m.State);
                    if (!t.Accepted)
                    {
                        Assert.Equal(state, t.To);
                        Assert.Empty(t.Actions);
                        Assert.False(string.IsNullOrEmpty(t.Why));
                        continue;
                    }
                    if (t.Actions.Contains(ExposureAction.SendExposeOn)) Assert.True(t.To.IsExposing(), t.ToString());
                    if (t.To.IsExposing() && !t.From.IsExposing())
                        Assert.True((held && trigger == ExposureTrigger.Expose) || (t.From == ExposureState.PreparingToExpose && trigger == ExposureTrigger.GeneratorReady), t.ToString());
                    if (t.From.IsExposing() && !t.To.IsExposing() && trigger is not (ExposureTrigger.GeneratorExposureEnded or ExposureTrigger.LinkLost))
                        Assert.Contains(ExposureAction.SendExposeOff, t.Actions);
                    if (t.To == ExposureState.Fault && t.From != ExposureState.Fault && (emittingBefore || t.From.IsExposing() || t.From == ExposureState.Stopping)
                        && trigger != ExposureTrigger.LinkLost)
                        Assert.True(t.Actions.Contains(ExposureAction.SendExposeOff), $"no ExposeOff: {t}");
                    if (trigger == ExposureTrigger.LinkLost) Assert.Contains(ExposureAction.StopHeartbeat, t.Actions);
                }
            }
        }
    }

    [Fact]
    public void Every_row_of_the_table_is_used_by_some_state_and_input()
    {
        var used = new HashSet<ExposureRule>();
        foreach (var (state, emitting) in Reachable().Select(r => ((ExposureState)r[0], (bool)r[1])))
        {
            foreach (var trigger in Enum.GetValues<ExposureTrigger>())
            {
                foreach (var held in new[] { true, false })
                {
                    foreach (var kind in new ExposureKind?[] { null, ExposureKind.Fluoro, ExposureKind.Cine })
                    {
                        foreach (bool linkUp in new[] { true, false })
                        {
                            var m = InState(state, emitting: emitting);
                            if (!linkUp && state is not (ExposureState.LinkDown)) m.Fire(Lost);
                            if (!linkUp && m.State != state) continue;
                            m.Fire(new(trigger, InputSource.Console, kind, "test", held));
                            if (m.LastRule is { } rule) used.Add(rule);
                        }
                    }
                }
            }
        }
        var fresh = new ExposureStateMachine(linkUp: false);
        fresh.Fire(Pedal(ExposureKind.Fluoro));
        used.Add(fresh.LastRule!);
        var unused = ExposureTable.Rules.Select((r, i) => (r, i)).Where(x => !used.Contains(x.r)).Select(x => $"row {x.i + 1}").ToList();
        Assert.True(unused.Count == 0, $"rows no input reaches: {string.Join(", ", unused)}");
    }

    /// <summary>docs/firmware-bridge.md prints the table the code runs; set CATHLAB_UPDATE_DOCS=1 to rewrite it.</summary>
    [Fact]
    public void The_documented_table_is_the_table_in_the_code()
    {
        string path = Path.Combine(RepoRoot(), "docs", "firmware-bridge.md");
        string doc = File.ReadAllText(path);
        const string begin = "<!-- exposure-table:begin (generated from ExposureTable; a test checks it) -->";
        const string end = "<!-- exposure-table:end -->";
        int from = doc.IndexOf(begin, StringComparison.Ordinal);
        int to = doc.IndexOf(end, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"{path} has no exposure table markers");
        string documented = doc[(from + begin.Length)..to].Trim();
        string expected = ExposureTable.ToMarkdown().Trim();
        if (documented != expected && Environment.GetEnvironmentVariable("CATHLAB_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, doc[..(from + begin.Length)] + "\n" + expected + "\n" + doc[to..]);
            return;
        }
        Assert.Equal(expected, documented);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CathLab.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("CathLab.sln not found above the test assembly");
    }
}
