using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Link;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Hil;

/// <summary>The bridge against the simulated generator over a real socat pseudo-terminal pair.</summary>
[Collection("hil")]
public sealed class GeneratorLinkHilTests
{
    [Fact]
    public async Task Identifies_and_reads_capabilities()
    {
        await using var rig = await SimRig.StartAsync();
        Assert.Equal(LinkState.Connected, rig.Link.State);
        Assert.Equal("CathLab SimGen 125", rig.Link.Identity!.Value.Model);
        Assert.Equal(1, rig.Link.Identity!.Value.ProtocolVersion);
        var caps = rig.Link.Capabilities!;
        Assert.Equal(new FactorRange(40, 125), caps.Kv);
        Assert.Equal(rig.Generator.Options.Capabilities, caps with { Kinds = rig.Generator.Options.Capabilities.Kinds });
        Assert.Equal(rig.Generator.Options.Capabilities.HeartbeatWindowMs, caps.HeartbeatWindowMs);
        Assert.Equal(rig.Generator.Options.Capabilities.MaxPowerKw, caps.MaxPowerKw);
        Assert.Equal(3, caps.Kinds.Count);
        var status = await rig.Link.GetStatusAsync();
        Assert.Equal(GeneratorState.Idle, status.State);
        Assert.True(status.InterlockClosed);
    }

    [Theory]
    [InlineData(ExposureKind.Fluoro)]
    [InlineData(ExposureKind.Cine)]
    [InlineData(ExposureKind.HighLevelFluoro)]
    public async Task Technique_round_trips(ExposureKind kind)
    {
        await using var rig = await SimRig.StartAsync();
        var random = new Random((int)kind);
        for (int i = 0; i < 20; i++)
        {
            var setting = new TechniqueSetting(kind,
                new Technique(Math.Round(60 + random.NextDouble() * 40, 1), Math.Round(5 + random.NextDouble() * 95, 1), Math.Round(4 + random.NextDouble() * 6, 2)),
                Math.Round(1 + random.NextDouble() * 29, 1));
            var stored = await rig.Link.SetTechniqueAsync(setting);
            Assert.Equal(setting.Kind, stored.Kind);
            Assert.Equal(setting.Technique.Kv, stored.Technique.Kv, 6);
            Assert.Equal(setting.Technique.Ma, stored.Technique.Ma, 6);
            Assert.Equal(setting.Technique.PulseWidthMs, stored.Technique.PulseWidthMs, 6);
            Assert.Equal(setting.PulseRate, stored.PulseRate, 6);
            var read = await rig.Link.GetTechniqueAsync(kind);
            Assert.Equal(stored, read);
        }
    }

    [Fact]
    public async Task Every_refusal_carries_the_generators_reason()
    {
        await using var rig = await SimRig.StartAsync();
        var outOfRange = await Assert.ThrowsAsync<GeneratorRefusedException>(() =>
            rig.Link.SetTechniqueAsync(new TechniqueSetting(ExposureKind.Fluoro, new Technique(140, 10, 5), 15)));
        Assert.Equal(RefusalReason.OutOfRange, outOfRange.Reason);
        Assert.Equal(MessageType.SetTechnique, outOfRange.Refusal.Command);
        Assert.Contains("kV", outOfRange.Message);
        Assert.Contains("value outside the generator's capabilities", outOfRange.Message);

        var notPrepared = await Assert.ThrowsAsync<GeneratorRefusedException>(() => rig.Link.ExposeOnAsync(ExposureKind.Fluoro));
        Assert.Equal(RefusalReason.NotPrepared, notPrepared.Reason);

        rig.Generator.InjectFault(FaultCode.InterlockOpen);
        var fault = await Assert.ThrowsAsync<GeneratorRefusedException>(() => rig.Link.PrepareAsync(ExposureKind.Fluoro));
        Assert.Equal(RefusalReason.FaultActive, fault.Reason);
        var interlock = await Assert.ThrowsAsync<GeneratorRefusedException>(() => rig.Link.ResetFaultAsync());
        Assert.Equal(RefusalReason.InterlockOpen, interlock.Reason);
        rig.Generator.CloseInterlock();
        await rig.Link.ResetFaultAsync();
        Assert.Equal(GeneratorState.Idle, (await rig.Link.GetStatusAsync()).State);
    }

    [Fact]
    public async Task A_refused_exposure_reaches_the_state_machine_with_its_reason()
    {
        await using var rig = await SimRig.StartAsync();
        rig.Generator.InjectFault(FaultCode.OverTemperature);
        await Until.TrueAsync(() => rig.Bridge.Exposure.State == ExposureState.Fault, "fault state");
        rig.Generator.CoolDown();
        await rig.Bridge.Exposure.ResetFaultAsync();
        Assert.Equal(ExposureState.Idle, rig.Bridge.Exposure.State);
        rig.Generator.InjectFault(FaultCode.InterlockOpen);
        await Until.TrueAsync(() => rig.Bridge.Exposure.State == ExposureState.Fault, "fault state");
        var refused = rig.Bridge.Exposure.PedalPressed(ExposureKind.Fluoro);
        Assert.False(refused.Accepted);
        await Assert.ThrowsAsync<GeneratorRefusedException>(() => rig.Bridge.Exposure.ResetFaultAsync());
    }

    [Fact]
    public async Task Pedal_exposure_is_logged_transition_by_transition_and_release_stops_within_one_pulse()
    {
        await using var rig = await SimRig.StartAsync();
        var transitions = new List<ExposureTransition>();
        rig.Bridge.Exposure.Transitioned += t => { lock (transitions) transitions.Add(t); };
        // 7.5 pulses/s: one pulse is 133 ms, so "within one pulse" tests the bridge's path, not the shared machine's scheduler.
        await rig.Link.SetTechniqueAsync(new TechniqueSetting(ExposureKind.Fluoro, new Technique(75, 20, 6), 7.5));

        for (int run = 0; run < 5; run++)
        {
            rig.ExposeUntilPulses(ExposureKind.Fluoro, 3 + run);
            Assert.Equal(ExposureState.ExposingFluoro, rig.Bridge.Exposure.State);
            long releasedAt = rig.Generator.NowMicros;
            rig.Bridge.Exposure.PedalReleased();
            rig.Events.WaitFor(e => e.OfType<ExposureEndedEvent>().Count() > run, "exposure end");
            Assert.True(rig.Delivered.After(releasedAt) <= 1, $"{rig.Delivered.After(releasedAt)} pulses after the release");
            rig.WaitForExposure(ExposureState.Ready);
            Assert.Equal(ExposureEndReason.Released, rig.Events.OfType<ExposureEndedEvent>()[^1].Reason);
        }
        Assert.Equal(0, rig.Bridge.Exposure.UnexpectedPulses);
        // Transitions reach listeners on the controller's notice thread, a moment after the state itself.
        await Until.TrueAsync(() => { lock (transitions) return transitions.Count(t => t.From == ExposureState.Stopping && t.To == ExposureState.Ready) >= 5; }, "the last release's transition published");
        lock (transitions)
        {
            Assert.Equal(ExposureState.PreparingToExpose, transitions.First(t => t.Accepted && t.Input.Trigger == ExposureTrigger.Expose).To);
            Assert.Contains(transitions, t => t.From == ExposureState.PreparingToExpose && t.To == ExposureState.ExposingFluoro);
            Assert.Equal(5, transitions.Count(t => t.From == ExposureState.ExposingFluoro && t.To == ExposureState.Stopping));
            Assert.Equal(5, transitions.Count(t => t.From == ExposureState.Stopping && t.To == ExposureState.Ready));
            // Every transition is in the log.
            var lines = rig.Log.Lines;
            foreach (var t in transitions.Where(t => t.Accepted && t.Input.Trigger != ExposureTrigger.GeneratorPulse))
            {
                Assert.Contains(lines, l => l.Contains($"Exposure {t.From} -> {t.To}"));
            }
        }
        // Dose from the generator's pulse reports.
        var pulses = rig.Events.OfType<PulseEvent>();
        Assert.Equal(pulses.Sum(p => p.AirKermaMilliGray), rig.Bridge.Dose.Exam.ReferenceAirKermaMilliGray, 9);
        Assert.Equal(5, rig.Bridge.Dose.Runs.Count);
        Assert.True(rig.Bridge.Dose.Exam.DoseAreaProductGyCm2 > 0);
    }

    [Fact]
    public async Task Heartbeat_stopped_ends_emission_within_one_pulse_of_the_window()
    {
        await using var rig = await SimRig.StartAsync();
        await rig.Link.SetTechniqueAsync(new TechniqueSetting(ExposureKind.Fluoro, new Technique(75, 20, 6), 30));
        rig.ExposeUntilPulses(ExposureKind.Fluoro, 5);
        long stoppedAt = rig.Generator.NowMicros;
        rig.Link.StopHeartbeat("test: heartbeat stopped");
        rig.Events.WaitFor(e => e.OfType<FaultEvent>().Any(f => f.Code == FaultCode.HeartbeatLost), "heartbeat-lost fault");
        long window = rig.Link.Capabilities!.HeartbeatWindowMs * 1000L;
        Assert.True(rig.Delivered.After(stoppedAt + window) <= 1, $"{rig.Delivered.After(stoppedAt + window)} pulses after the heartbeat window");
        Assert.Equal(ExposureEndReason.HeartbeatLost, rig.Events.OfType<ExposureEndedEvent>()[^1].Reason);
        await Until.TrueAsync(() => rig.Bridge.Exposure.State == ExposureState.Fault, "fault state");

        var refused = await Assert.ThrowsAsync<GeneratorRefusedException>(() => rig.Link.PrepareAsync(ExposureKind.Fluoro));
        Assert.Equal(RefusalReason.FaultActive, refused.Reason);
        await rig.Bridge.Exposure.ResetFaultAsync();
        Assert.True(rig.Link.HeartbeatRunning);
        rig.ExposeUntilPulses(ExposureKind.Fluoro, 3);
        rig.Bridge.Exposure.PedalReleased();
    }

    [Theory]
    [InlineData(FaultCode.Arc)]
    [InlineData(FaultCode.InterlockOpen)]
    [InlineData(FaultCode.OverTemperature)]
    public async Task A_generator_fault_ends_emission_within_one_pulse(FaultCode code)
    {
        await using var rig = await SimRig.StartAsync();
        var alerts = new List<BridgeAlert>();
        rig.Bridge.Alert += a => { lock (alerts) alerts.Add(a); };
        await rig.Link.SetTechniqueAsync(new TechniqueSetting(ExposureKind.Cine, new Technique(80, 200, 6), 30));
        rig.ExposeUntilPulses(ExposureKind.Cine, 5);
        long faultAt = rig.Generator.NowMicros;
        rig.Generator.InjectFault(code);
        rig.Events.WaitFor(e => e.OfType<FaultEvent>().Any(), "fault event");
        Assert.True(rig.Delivered.After(faultAt) <= 1);
        await Until.TrueAsync(() => rig.Bridge.Exposure.State == ExposureState.Fault, "fault state");
        await Until.TrueAsync(() => { lock (alerts) return alerts.Any(a => a.Kind == BridgeAlertKind.GeneratorFault && a.Text.Contains(code.ToString())); }, "alert");
        rig.Generator.CloseInterlock();
        rig.Generator.CoolDown();
        await rig.Bridge.Exposure.ResetFaultAsync();
        Assert.Equal(ExposureState.Idle, rig.Bridge.Exposure.State);
    }

    [Fact]
    public async Task High_level_fluoro_raises_a_continuous_alert_while_held()
    {
        await using var rig = await SimRig.StartAsync();
        var alerts = new List<BridgeAlert>();
        rig.Bridge.Alert += a => { lock (alerts) alerts.Add(a); };
        await rig.Link.SetTechniqueAsync(new TechniqueSetting(ExposureKind.HighLevelFluoro, new Technique(80, 40, 6), 15));
        Assert.False(rig.Bridge.Exposure.ConsoleExpose(ExposureKind.HighLevelFluoro).Accepted);
        rig.ExposeUntilPulses(ExposureKind.HighLevelFluoro, 8);
        rig.Bridge.Exposure.PedalReleased();
        rig.Events.WaitFor(e => e.OfType<ExposureEndedEvent>().Any(), "exposure end");
        await Until.TrueAsync(() => { lock (alerts) return alerts.Any(a => a.Kind == BridgeAlertKind.HighLevelFluoroEnded); }, "alert end");
        int pulses = rig.Events.OfType<PulseEvent>().Count;
        lock (alerts)
        {
            // One at the start and one with every pulse.
            Assert.True(alerts.Count(a => a.Kind == BridgeAlertKind.HighLevelFluoroActive) >= pulses);
        }
    }

    [Fact]
    public async Task A_silent_generator_takes_the_link_down_stops_heartbeats_and_emission_then_reconnects()
    {
        await using var rig = await SimRig.StartAsync();
        var states = new List<LinkState>();
        rig.Link.StateChanged += (s, _) => { lock (states) states.Add(s); };
        await rig.Link.SetTechniqueAsync(new TechniqueSetting(ExposureKind.Fluoro, new Technique(75, 20, 6), 30));
        rig.ExposeUntilPulses(ExposureKind.Fluoro, 5);
        long silentAt = rig.Generator.NowMicros;
        rig.Endpoint.Silent = true;
        await Until.TrueAsync(() => rig.Link.State == LinkState.Down, "link down");
        Assert.False(rig.Link.HeartbeatRunning);
        await Until.TrueAsync(() => rig.Bridge.Exposure.State == ExposureState.Fault, "fault state");
        await Until.TrueAsync(() => rig.Generator.State == GeneratorState.Fault, "generator stopped by its heartbeat watchdog");
        long window = rig.Link.Capabilities!.HeartbeatWindowMs * 1000L;
        Assert.True(rig.Delivered.After(silentAt + window) <= 1);
        await Assert.ThrowsAsync<GeneratorLinkDownException>(() => rig.Link.GetStatusAsync());

        rig.Endpoint.Silent = false;
        await Until.TrueAsync(() => rig.Link.State == LinkState.Connected, "reconnected");
        Assert.True(rig.Link.Reconnects >= 1);
        // Lost during an exposure: the fault stays latched until the operator resets it.
        await Until.TrueAsync(() => rig.Log.Lines.Any(l => l.Contains("reset the fault to expose again")), "link restored alert");
        Assert.Equal(ExposureState.Fault, rig.Bridge.Exposure.State);
        Assert.False(rig.Bridge.Exposure.PedalPressed(ExposureKind.Fluoro).Accepted);
        await rig.Bridge.Exposure.ResetFaultAsync();
        rig.ExposeUntilPulses(ExposureKind.Fluoro, 3);
        rig.Bridge.Exposure.PedalReleased();
        lock (states) Assert.Equal([LinkState.Down, LinkState.Connected], states.Take(2));
    }

    [Fact]
    public async Task A_silent_generator_while_idle_faults_the_controller_until_the_link_is_back_then_it_is_idle_by_itself()
    {
        await using var rig = await SimRig.StartAsync();
        var alerts = new List<BridgeAlert>();
        rig.Bridge.Alert += a => { lock (alerts) alerts.Add(a); };
        await rig.Link.SetTechniqueAsync(new TechniqueSetting(ExposureKind.Fluoro, new Technique(75, 20, 6), 30));
        rig.Endpoint.Silent = true;
        await Until.TrueAsync(() => rig.Link.State == LinkState.Down, "link down");
        await Until.TrueAsync(() => rig.Bridge.Exposure.State == ExposureState.LinkDown, "link-down state");
        Assert.False(rig.Bridge.Exposure.PedalPressed(ExposureKind.Fluoro).Accepted);

        rig.Endpoint.Silent = false;
        await Until.TrueAsync(() => rig.Link.State == LinkState.Connected, "reconnected");
        await Until.TrueAsync(() => rig.Bridge.Exposure.State == ExposureState.Idle, "back to Idle without a fault reset");
        await Until.TrueAsync(() => { lock (alerts) return alerts.Any(a => a.Kind == BridgeAlertKind.LinkRestored && a.Text.Contains("without a fault reset")); }, "alert");
        Assert.Contains(rig.Log.Lines, l => l.Contains("LinkDown -> Idle on StatusIdle"));
        Assert.True(rig.Link.HeartbeatRunning);
        rig.ExposeUntilPulses(ExposureKind.Fluoro, 3);
        rig.Bridge.Exposure.PedalReleased();
        rig.Events.WaitFor(e => e.OfType<ExposureEndedEvent>().Any(x => x.Reason == ExposureEndReason.Released), "exposure end");
        rig.WaitForExposure(ExposureState.Ready);
    }
}
