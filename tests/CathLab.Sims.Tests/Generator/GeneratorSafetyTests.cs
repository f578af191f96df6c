using CathLab.Sims.Exerciser;
using CathLab.Sims.Generator;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Tests.Generator;

public sealed class GeneratorSafetyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static void Expose(SimulatorRig rig, ExposureKind kind, double pulseRate)
    {
        rig.Probe.Ack(MessageType.SetTechnique, GeneratorProbe.Setting(new TechniqueSetting(kind, new Technique(75, 50, 5), pulseRate)));
        rig.PrepareAndWaitReady(kind);
        rig.Probe.Ack(MessageType.ExposeOn, GeneratorProbe.Kind(kind));
    }

    [Fact]
    public void Pulses_follow_the_set_rate_and_each_is_reported_with_its_technique_and_kerma()
    {
        using var rig = new SimulatorRig();
        using var heartbeats = rig.StartHeartbeats();
        Expose(rig, ExposureKind.Fluoro, 30);
        Assert.True(rig.Probe.WaitFor(() => rig.Pulses.Count >= 20, Patience));
        rig.Probe.Ack(MessageType.ExposeOff);
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.EventsOf<ExposureEndedEvent>().Any(), Patience));

        var delivered = rig.Pulses.ToArray();
        // The pulse train never runs faster than the set rate (a loaded machine can only make pulses later).
        double meanInterval = (delivered[^1].TimestampMicroseconds - delivered[0].TimestampMicroseconds) / (double)(delivered.Length - 1);
        Assert.True(meanInterval >= 33_000, $"mean interval {meanInterval} µs");

        var reported = rig.Probe.EventsOf<PulseEvent>().ToArray();
        Assert.Equal(delivered.Length, reported.Length);
        Assert.Equal(delivered.Select(p => p.PulseId), reported.Select(p => p.PulseId));
        // docs/generator-protocol.md: actual kV and mA within ±0.5 % of the set values, the pulse width as set.
        Assert.All(reported, p => Assert.InRange(p.Technique.Kv, 75 * 0.995 - 0.05, 75 * 1.005 + 0.05));
        Assert.All(reported, p => Assert.InRange(p.Technique.Ma, 50 * 0.995 - 0.05, 50 * 1.005 + 0.05));
        Assert.All(reported, p => Assert.Equal(5, p.Technique.PulseWidthMs, 2));
        Assert.All(reported, p => Assert.True(p.AirKermaNanoGray > 0));
        var ended = rig.Probe.EventsOf<ExposureEndedEvent>().Single();
        Assert.Equal(ExposureEndReason.Released, ended.Reason);
        Assert.Equal((uint)delivered.Length, ended.Pulses);
    }

    [Fact]
    public void Without_a_heartbeat_exposure_is_refused_but_an_idle_or_ready_generator_is_never_faulted()
    {
        using var rig = new SimulatorRig(new GeneratorSimOptions());
        int window = rig.Generator.Options.Capabilities.HeartbeatWindowMs;
        Thread.Sleep(3 * window);
        Assert.Equal(GeneratorState.Idle, rig.Generator.State);
        rig.PrepareAndWaitReady(ExposureKind.Fluoro);
        Thread.Sleep(3 * window);
        Assert.Equal(GeneratorState.Ready, rig.Generator.State);
        var (acked, _, refusal) = rig.Probe.Command(MessageType.ExposeOn, GeneratorProbe.Kind(ExposureKind.Fluoro));
        Assert.False(acked);
        Assert.Equal(RefusalReason.NoHeartbeat, refusal!.Value.Reason);
        Assert.Empty(rig.Probe.EventsOf<FaultEvent>());
    }

    [Fact]
    public void The_state_machine_answers_each_command_in_each_state_as_documented()
    {
        using var rig = new SimulatorRig();
        using var heartbeats = rig.StartHeartbeats();
        RefusalReason? Refused(MessageType command, params byte[] payload) => rig.Probe.Command(command, payload).Refusal?.Reason;
        byte[] fluoro = GeneratorProbe.Kind(ExposureKind.Fluoro), cine = GeneratorProbe.Kind(ExposureKind.Cine);
        rig.Probe.Ack(MessageType.SetTechnique, GeneratorProbe.Setting(new TechniqueSetting(ExposureKind.Cine, new Technique(80, 300, 6), 15)));

        // Idle
        Assert.Equal(RefusalReason.NotPrepared, Refused(MessageType.ExposeOn, fluoro));
        Assert.Null(Refused(MessageType.ExposeOff));
        Assert.Null(Refused(MessageType.ResetFault));
        Assert.Equal(GeneratorState.Idle, rig.Generator.State);

        // Ready: Prepare again, ExposeOff and ResetFault change nothing
        rig.PrepareAndWaitReady(ExposureKind.Fluoro);
        Assert.Null(Refused(MessageType.Prepare, cine));
        Assert.Null(Refused(MessageType.ExposeOff));
        Assert.Null(Refused(MessageType.ResetFault));
        Assert.Equal(GeneratorState.Ready, rig.Generator.State);

        // Ready is not tied to a kind: ExposeOn of another kind exposes that kind with its own setting
        Assert.Null(Refused(MessageType.ExposeOn, cine));
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.EventsOf<ExposureStartedEvent>().Any(), Patience));
        Assert.Equal(ExposureKind.Cine, rig.Probe.EventsOf<ExposureStartedEvent>().Single().Setting.Kind);
        Assert.Equal(new Technique(80, 300, 6), rig.Probe.EventsOf<ExposureStartedEvent>().Single().Setting.Technique);

        // Exposing
        Assert.Equal(RefusalReason.WrongState, Refused(MessageType.ExposeOn, fluoro));
        Assert.Equal(RefusalReason.WrongState, Refused(MessageType.ExposeOn, cine));
        Assert.Equal(RefusalReason.WrongState, Refused(MessageType.Prepare, fluoro));
        Assert.Null(Refused(MessageType.ExposeOff));
        Assert.Equal(GeneratorState.Ready, rig.Generator.State);
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.EventsOf<StateChangedEvent>().Count() >= 4, Patience));
        var states = rig.Probe.EventsOf<StateChangedEvent>().Select(e => e.State).ToArray();
        Assert.Equal([GeneratorState.Preparing, GeneratorState.Ready, GeneratorState.Exposing, GeneratorState.Ready], states);

        // Fault
        rig.Generator.InjectFault(FaultCode.Arc);
        Assert.Equal(RefusalReason.FaultActive, Refused(MessageType.Prepare, fluoro));
        Assert.Equal(RefusalReason.FaultActive, Refused(MessageType.ExposeOn, fluoro));
        Assert.Null(Refused(MessageType.ExposeOff));
        Assert.Equal(GeneratorState.Fault, rig.Generator.State);
    }

    [Fact]
    public void GetStatus_names_the_kind_only_while_exposing_and_counts_pulses_since_power_on()
    {
        using var rig = new SimulatorRig();
        using var heartbeats = rig.StartHeartbeats();
        GeneratorStatus Status()
        {
            var r = new PayloadReader(rig.Probe.Ack(MessageType.GetStatus));
            return GeneratorStatus.Read(ref r);
        }
        Assert.Null(Status().Kind);
        Expose(rig, ExposureKind.Cine, 30);
        Assert.True(rig.Probe.WaitFor(() => rig.Pulses.Count >= 3, Patience));
        var exposing = Status();
        Assert.Equal(GeneratorState.Exposing, exposing.State);
        Assert.Equal(ExposureKind.Cine, exposing.Kind);
        rig.Probe.Ack(MessageType.ExposeOff);
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.EventsOf<ExposureEndedEvent>().Any(), Patience));
        uint first = rig.Probe.EventsOf<ExposureEndedEvent>().Single().Pulses;
        var ready = Status();
        Assert.Null(ready.Kind);
        Assert.Equal(first, ready.PulsesDelivered);

        // A new session does not restart the counter; pulse ids go on from it.
        rig.Probe.Ack(MessageType.Identify);
        Expose(rig, ExposureKind.Fluoro, 30);
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.EventsOf<PulseEvent>().Any(), Patience));
        rig.Probe.Ack(MessageType.ExposeOff);
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.EventsOf<ExposureEndedEvent>().Count() == 2, Patience));
        uint second = rig.Probe.EventsOf<ExposureEndedEvent>().Last().Pulses;
        Assert.Equal(first + 1, rig.Probe.EventsOf<PulseEvent>().First(p => p.Kind == ExposureKind.Fluoro).PulseId);
        Assert.Equal(first + second, Status().PulsesDelivered);
    }

    [Fact]
    public void Heartbeat_loss_stops_emission_within_one_pulse_of_the_window_and_the_fault_resets_only_with_heartbeats()
    {
        using var rig = new SimulatorRig();
        var heartbeats = rig.StartHeartbeats();
        Expose(rig, ExposureKind.Fluoro, 60);
        Assert.True(rig.Probe.WaitFor(() => rig.Pulses.Count >= 10, Patience));
        heartbeats.Dispose();
        long lastHeartbeat = rig.Generator.LastHeartbeatMicros;
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.EventsOf<FaultEvent>().Any(), Patience));

        var ended = rig.Probe.EventsOf<ExposureEndedEvent>().Single();
        Assert.Equal(ExposureEndReason.HeartbeatLost, ended.Reason);
        Assert.Equal(FaultCode.HeartbeatLost, rig.Probe.EventsOf<FaultEvent>().Single().Code);
        long windowEnd = lastHeartbeat + rig.Generator.Options.Capabilities.HeartbeatWindowMs * 1000L;
        Assert.True(rig.Pulses.Count(p => p.TimestampMicroseconds > windowEnd) <= 1);
        int count = rig.Pulses.Count;
        Thread.Sleep(100);
        Assert.Equal(count, rig.Pulses.Count);
        Assert.Equal(GeneratorState.Fault, rig.Generator.State);

        // Then ExposeOn answers that a fault is active; ResetFault waits for the fault's cause, the missing
        // heartbeat, to go (as it waits for an open interlock to close).
        Assert.Equal(RefusalReason.FaultActive, rig.Probe.Command(MessageType.ExposeOn, GeneratorProbe.Kind(ExposureKind.Fluoro)).Refusal!.Value.Reason);
        Assert.Equal(RefusalReason.NoHeartbeat, rig.Probe.Command(MessageType.ResetFault).Refusal!.Value.Reason);
        Assert.Equal(GeneratorState.Fault, rig.Generator.State);
        rig.Probe.Ack(MessageType.Heartbeat);
        rig.Probe.Ack(MessageType.ResetFault);
        Assert.Equal(GeneratorState.Idle, rig.Generator.State);
    }

    [Theory]
    [InlineData(FaultCode.Arc, ExposureEndReason.Fault)]
    [InlineData(FaultCode.InterlockOpen, ExposureEndReason.InterlockOpen)]
    [InlineData(FaultCode.OverTemperature, ExposureEndReason.TubeHot)]
    public void A_fault_stops_emission_before_the_next_pulse_and_blocks_exposure_until_reset(FaultCode fault, ExposureEndReason reason)
    {
        using var rig = new SimulatorRig();
        using var heartbeats = rig.StartHeartbeats();
        Expose(rig, ExposureKind.Cine, 30);
        Assert.True(rig.Probe.WaitFor(() => rig.Pulses.Count >= 5, Patience));
        rig.Generator.InjectFault(fault);
        int atFault = rig.Pulses.Count;
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.EventsOf<FaultEvent>().Any(), Patience));
        Thread.Sleep(100);
        Assert.Equal(atFault, rig.Pulses.Count);
        Assert.Equal(reason, rig.Probe.EventsOf<ExposureEndedEvent>().Single().Reason);
        Assert.Equal(fault, rig.Probe.EventsOf<FaultEvent>().Single().Code);

        var (acked, _, refusal) = rig.Probe.Command(MessageType.ExposeOn, GeneratorProbe.Kind(ExposureKind.Cine));
        Assert.False(acked);
        Assert.Equal(RefusalReason.FaultActive, refusal!.Value.Reason);

        if (fault == FaultCode.InterlockOpen)
        {
            Assert.Equal(RefusalReason.InterlockOpen, rig.Probe.Command(MessageType.ResetFault).Refusal!.Value.Reason);
            rig.Generator.CloseInterlock();
        }
        if (fault == FaultCode.OverTemperature)
        {
            Assert.Equal(RefusalReason.TubeHot, rig.Probe.Command(MessageType.ResetFault).Refusal!.Value.Reason);
            rig.Generator.CoolDown();
        }
        rig.Probe.Ack(MessageType.ResetFault);
        Expose(rig, ExposureKind.Cine, 30);
        Assert.True(rig.Probe.WaitFor(() => rig.Pulses.Count > atFault, Patience));
        rig.Probe.Ack(MessageType.ExposeOff);
    }

    [Fact]
    public void A_silent_generator_answers_nothing_and_its_watchdog_stops_emission()
    {
        using var rig = new SimulatorRig();
        using var heartbeats = rig.StartHeartbeats();
        Expose(rig, ExposureKind.Fluoro, 30);
        Assert.True(rig.Probe.WaitFor(() => rig.Pulses.Count >= 3, Patience));
        rig.Endpoint.Silent = true;
        Assert.True(rig.Probe.WaitFor(() => rig.Generator.State == GeneratorState.Fault, Patience));
        int stopped = rig.Pulses.Count;
        rig.Probe.MaxAttempts = 3;
        Assert.Throws<TimeoutException>(() => rig.Probe.Command(MessageType.GetStatus));
        Assert.Equal(stopped, rig.Pulses.Count);
    }

    [Fact]
    public void A_hot_tube_refuses_exposure_and_heat_is_reported()
    {
        var relaxed = SimulatorRig.Relaxed();
        var options = relaxed with { Capabilities = relaxed.Capabilities with { HeatCapacityUnits = 3000 } };
        using var rig = new SimulatorRig(options);
        using var heartbeats = rig.StartHeartbeats();
        rig.Probe.Ack(MessageType.SetTechnique, GeneratorProbe.Setting(new TechniqueSetting(ExposureKind.Cine, new Technique(100, 800, 10), 30)));
        rig.PrepareAndWaitReady(ExposureKind.Cine);
        rig.Probe.Ack(MessageType.ExposeOn, GeneratorProbe.Kind(ExposureKind.Cine));
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.EventsOf<ExposureEndedEvent>().Any(), Patience));
        Assert.Equal(ExposureEndReason.TubeHot, rig.Probe.EventsOf<ExposureEndedEvent>().Single().Reason);
        Assert.InRange(rig.Pulses.Count, 1, 3);
        // A hot tube is not a fault: the exposure ends, the generator stays Ready.
        Assert.Equal(GeneratorState.Ready, rig.Generator.State);
        Assert.Empty(rig.Probe.EventsOf<FaultEvent>());
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.EventsOf<HeatEvent>().Any(h => h.Percent >= 70), Patience));
        var (acked, _, refusal) = rig.Probe.Command(MessageType.ExposeOn, GeneratorProbe.Kind(ExposureKind.Cine));
        Assert.False(acked);
        Assert.Equal(RefusalReason.TubeHot, refusal!.Value.Reason);
    }

    [Fact]
    public void On_a_damaged_line_every_command_executes_exactly_once_and_every_event_arrives_once()
    {
        var faults = new SerialFaultOptions { CorruptRate = 0.01, DropRate = 0.001, Seed = 3 };
        using var rig = new SimulatorRig(faults: faults);
        using var heartbeats = rig.StartHeartbeats();
        Expose(rig, ExposureKind.Fluoro, 30);
        for (int i = 0; i < 60; i++)
        {
            var setting = new TechniqueSetting(ExposureKind.Fluoro, new Technique(60 + i * 0.5, 20 + i, 5), 30);
            var (acked, echo, refusal) = rig.Probe.Command(MessageType.SetTechnique, GeneratorProbe.Setting(setting));
            Assert.True(acked, refusal?.ToString());
            var r = new PayloadReader(echo);
            Assert.Equal(setting, TechniqueSetting.Read(ref r));
        }
        rig.Probe.Ack(MessageType.ExposeOff);
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.EventsOf<ExposureEndedEvent>().Any(), Patience));
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.EventsOf<PulseEvent>().Count() == rig.Pulses.Count, Patience));
        Assert.Equal(rig.Pulses.Select(p => p.PulseId), rig.Probe.EventsOf<PulseEvent>().Select(p => p.PulseId));
        Assert.Single(rig.Probe.EventsOf<ExposureStartedEvent>());
        Assert.True(rig.Endpoint.BytesCorrupted > 0);
        Assert.True(rig.Probe.Retries > 0);
    }

    [Fact]
    public void With_the_station_side_of_the_pty_killed_mid_fluoro_the_watchdog_still_stops_emission_within_its_window()
    {
        // The generator's writes into the dead pty must not hold up its state machine: it publishes a pulse event under
        // its state lock, and a write on a vanished pty blocks up to the port's timeout.
        var rig = new SimulatorRig(SimulatorRig.Relaxed() with { Capabilities = SimulatorRig.Relaxed().Capabilities with { HeartbeatWindowMs = 1000 } });
        try
        {
            var heartbeats = rig.StartHeartbeats();
            Expose(rig, ExposureKind.Fluoro, 30);
            Assert.True(rig.Probe.WaitFor(() => rig.Pulses.Count >= 5, Patience));
            heartbeats.Dispose();
            long lastHeartbeat = rig.Generator.LastHeartbeatMicros;
            rig.Pty.Pull();

            Assert.True(rig.Probe.WaitFor(() => rig.Generator.State == GeneratorState.Fault, Patience), $"still {rig.Generator.State}");
            long windowEnd = lastHeartbeat + rig.Generator.Options.Capabilities.HeartbeatWindowMs * 1000L;
            var pulses = rig.Pulses.ToArray();
            int late = pulses.Count(p => p.TimestampMicroseconds > windowEnd);
            Assert.True(late <= 1, $"{late} pulses after the heartbeat window");
            // The pulse train kept its grid while the line was dead: a state machine blocked in its writes stalls (with
            // writes under its lock it made 7 of the 30 pulses, and saw the lost heartbeat half a minute late).
            int inWindow = pulses.Count(p => p.TimestampMicroseconds > lastHeartbeat && p.TimestampMicroseconds <= windowEnd);
            Assert.True(inWindow >= 15, $"only {inWindow} of 30 pulses in the window after the last heartbeat: the state machine stalled");
            int stopped = rig.Pulses.Count;
            Thread.Sleep(100);
            Assert.Equal(stopped, rig.Pulses.Count);
            // The kernel may have taken the first writes after the pull into its buffer; the events' re-sends go on
            // until one fails on the dead line.
            Assert.True(rig.Probe.WaitFor(() => rig.Endpoint.WriteFailures + rig.Endpoint.FramesUnsent > 0, Patience),
                "the dead line took every frame");
        }
        finally
        {
            // Closing ports on a vanished pty can block inside System.IO.Ports: let a background thread have them.
            new Thread(rig.Dispose) { IsBackground = true }.Start();
        }
    }
}
