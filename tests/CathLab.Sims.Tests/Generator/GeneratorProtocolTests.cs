using CathLab.Sims.Exerciser;
using CathLab.Sims.Generator;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Tests.Generator;

public sealed class GeneratorProtocolTests
{
    [Fact]
    public void Identify_and_capabilities_round_trip_over_a_pty_pair()
    {
        using var rig = new SimulatorRig(new GeneratorSimOptions());
        var (_, identity, _) = rig.Probe.Command(MessageType.Identify);
        var r = new PayloadReader(identity);
        var id = GeneratorIdentity.Read(ref r);
        Assert.Equal(GeneratorIdentity.CurrentProtocolVersion, id.ProtocolVersion);
        Assert.Equal("CathLab SimGen 125", id.Model);

        var (_, caps, _) = rig.Probe.Command(MessageType.GetCapabilities);
        r = new PayloadReader(caps);
        var capabilities = GeneratorCapabilities.Read(ref r);
        r.End();
        Assert.Equal(new FactorRange(40, 125), capabilities.Kv);
        Assert.Equal(new FactorRange(4, 10), capabilities.PulseWidthMs);
        Assert.Equal(250, capabilities.HeartbeatWindowMs);
        Assert.Contains(ExposureKind.HighLevelFluoro, capabilities.Kinds);
    }

    [Fact]
    public void Technique_is_set_and_read_back_per_kind()
    {
        using var rig = new SimulatorRig();
        var setting = new TechniqueSetting(ExposureKind.Cine, new Technique(82.5, 612.3, 7.25), 30);
        var (acked, echo, _) = rig.Probe.Command(MessageType.SetTechnique, GeneratorProbe.Setting(setting));
        Assert.True(acked);
        var r = new PayloadReader(echo);
        Assert.Equal(setting, TechniqueSetting.Read(ref r));

        var (_, readBack, _) = rig.Probe.Command(MessageType.GetTechnique, GeneratorProbe.Kind(ExposureKind.Cine));
        r = new PayloadReader(readBack);
        Assert.Equal(setting, TechniqueSetting.Read(ref r));

        (_, readBack, _) = rig.Probe.Command(MessageType.GetTechnique, GeneratorProbe.Kind(ExposureKind.Fluoro));
        r = new PayloadReader(readBack);
        Assert.NotEqual(setting.Technique, TechniqueSetting.Read(ref r).Technique);
    }

    [Theory]
    [InlineData(130, 100, 6, 15, "kV")]
    [InlineData(80, 1200, 6, 15, "mA")]
    [InlineData(80, 100, 12, 15, "ms")]
    [InlineData(80, 100, 6, 90, "pulses/s")]
    [InlineData(120, 1000, 6, 15, "kW")]
    public void Technique_outside_the_capabilities_is_refused_with_its_reason(double kv, double ma, double ms, double rate, string mentioned)
    {
        using var rig = new SimulatorRig();
        var setting = new TechniqueSetting(ExposureKind.Fluoro, new Technique(kv, ma, ms), rate);
        var (acked, _, refusal) = rig.Probe.Command(MessageType.SetTechnique, GeneratorProbe.Setting(setting));
        Assert.False(acked);
        Assert.Equal(RefusalReason.OutOfRange, refusal!.Value.Reason);
        Assert.Equal(MessageType.SetTechnique, refusal.Value.Command);
        Assert.Contains(mentioned, refusal.Value.Text);
    }

    [Fact]
    public void Long_cine_pulses_are_allowed_only_for_cine()
    {
        using var rig = new SimulatorRig();
        var cine = new TechniqueSetting(ExposureKind.Cine, new Technique(80, 300, 16), 15);
        Assert.True(rig.Probe.Command(MessageType.SetTechnique, GeneratorProbe.Setting(cine)).Acked);
        var fluoro = cine with { Kind = ExposureKind.Fluoro };
        Assert.False(rig.Probe.Command(MessageType.SetTechnique, GeneratorProbe.Setting(fluoro)).Acked);
    }

    [Fact]
    public void Unknown_commands_and_wrong_payloads_are_refused_and_the_link_goes_on()
    {
        using var rig = new SimulatorRig();
        var (acked, _, refusal) = rig.Probe.Command((MessageType)0x33);
        Assert.False(acked);
        Assert.Equal(RefusalReason.UnknownCommand, refusal!.Value.Reason);

        (acked, _, refusal) = rig.Probe.Command(MessageType.Prepare, [1, 2, 3]);
        Assert.False(acked);
        Assert.Equal(RefusalReason.Malformed, refusal!.Value.Reason);

        (acked, _, refusal) = rig.Probe.Command(MessageType.Prepare, [9]);
        Assert.False(acked);
        Assert.Equal(RefusalReason.Malformed, refusal!.Value.Reason);

        rig.Probe.Ack(MessageType.GetStatus);
    }

    [Fact]
    public void Garbage_on_the_line_is_answered_by_frame_errors_never_a_crash()
    {
        using var rig = new SimulatorRig();
        var random = new Random(11);
        var noise = new byte[4000];
        random.NextBytes(noise);
        for (int i = 0; i < noise.Length; i += 97) noise[i] = GeneratorFrame.Stx;
        rig.Probe.SendRaw(noise);

        // A frame with a bad CRC, and a truncated frame followed by silence.
        byte[] frame = new byte[GeneratorFrame.MaxFrame];
        int length = GeneratorFrame.Encode(frame, 999, MessageType.GetStatus, default);
        frame[length - 2] ^= 0x40;
        rig.Probe.SendRaw(frame.AsSpan(0, length));
        rig.Probe.SendRaw(frame.AsSpan(0, 4));
        Thread.Sleep(100);

        Assert.True(rig.Probe.WaitFor(() => rig.Endpoint.DamagedFrames > 0, TimeSpan.FromSeconds(5)));
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.FrameErrors > 0, TimeSpan.FromSeconds(5)));
        rig.Probe.Ack(MessageType.Identify);
        rig.Probe.Ack(MessageType.GetStatus);
    }

    [Fact]
    public void A_repeated_sequence_number_is_answered_from_memory_not_executed_twice()
    {
        using var rig = new SimulatorRig();
        using var heartbeats = rig.StartHeartbeats();
        rig.PrepareAndWaitReady(ExposureKind.Fluoro);
        byte[] exposeOn = new byte[GeneratorFrame.MaxFrame];
        int length = GeneratorFrame.Encode(exposeOn, 40000, MessageType.ExposeOn, GeneratorProbe.Kind(ExposureKind.Fluoro));
        rig.Probe.SendRaw(exposeOn.AsSpan(0, length));
        rig.Probe.SendRaw(exposeOn.AsSpan(0, length));
        Assert.True(rig.Probe.WaitFor(() => rig.Endpoint.DuplicateCommands == 1, TimeSpan.FromSeconds(10)));
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.EventsOf<ExposureStartedEvent>().Any(), TimeSpan.FromSeconds(10)), string.Join("\n", rig.Probe.Events) + " state " + rig.Generator.State);
        rig.Probe.Ack(MessageType.ExposeOff);
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.EventsOf<ExposureEndedEvent>().Any(), TimeSpan.FromSeconds(5)));
        Assert.Single(rig.Probe.EventsOf<ExposureStartedEvent>());
    }

    [Fact]
    public void A_heartbeat_between_a_command_and_its_retry_leaves_the_command_answered_from_memory()
    {
        using var rig = new SimulatorRig();
        rig.Probe.Ack(MessageType.Heartbeat);
        var setting = new TechniqueSetting(ExposureKind.Cine, new Technique(81, 300, 6), 15);
        byte[] command = new byte[GeneratorFrame.MaxFrame];
        int length = GeneratorFrame.Encode(command, 50000, MessageType.SetTechnique, GeneratorProbe.Setting(setting));
        byte[] beat = new byte[GeneratorFrame.MaxFrame];
        int beatLength = GeneratorFrame.Encode(beat, 50001, MessageType.Heartbeat, default);
        long executedBefore = rig.Endpoint.Executed(MessageType.SetTechnique);

        rig.Probe.SendRaw(command.AsSpan(0, length));
        rig.Probe.SendRaw(beat.AsSpan(0, beatLength));
        rig.Probe.SendRaw(command.AsSpan(0, length));

        Assert.True(rig.Probe.WaitFor(() => rig.Endpoint.DuplicateCommands == 1, TimeSpan.FromSeconds(10)), "the retry was not recognised as a repeat");
        Assert.Equal(executedBefore + 1, rig.Endpoint.Executed(MessageType.SetTechnique));
        Assert.True(rig.Endpoint.Executed(MessageType.Heartbeat) >= 2); // a repeated Heartbeat is executed again: it only restarts the window
    }

    [Fact]
    public void The_longest_gap_between_heartbeats_is_measured()
    {
        using var rig = new SimulatorRig();
        rig.Probe.Ack(MessageType.Heartbeat);
        rig.Generator.ResetHeartbeatGap();
        Thread.Sleep(120);
        rig.Probe.Ack(MessageType.Heartbeat);
        Assert.True(rig.Generator.MaxHeartbeatGapMicros >= 120_000, $"{rig.Generator.MaxHeartbeatGapMicros} µs");
        rig.Generator.ResetHeartbeatGap();
        Assert.Equal(0, rig.Generator.MaxHeartbeatGapMicros);
    }

    [Fact]
    public void Withheld_answers_make_the_station_retry_and_the_command_still_executes_once()
    {
        using var rig = new SimulatorRig(faults: new SerialFaultOptions { WithheldAnswers = 3 });
        var setting = new TechniqueSetting(ExposureKind.Fluoro, new Technique(70, 30, 5), 15);
        var (acked, echo, _) = rig.Probe.Command(MessageType.SetTechnique, GeneratorProbe.Setting(setting));
        Assert.True(acked);
        var r = new PayloadReader(echo);
        Assert.Equal(setting, TechniqueSetting.Read(ref r));
        Assert.True(rig.Probe.Retries >= 3, $"{rig.Probe.Retries} retries");
        Assert.Equal(1, rig.Endpoint.Executed(MessageType.SetTechnique));
        Assert.True(rig.Endpoint.DuplicateCommands >= 3, $"{rig.Endpoint.DuplicateCommands} repeats");
        Assert.Throws<ArgumentOutOfRangeException>(() => new SerialFaultOptions { WithheldAnswers = -1 }.Validate());
    }
}
