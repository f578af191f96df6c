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
        Assert.Equal(RefusalReason.KindNotSupported, refusal!.Value.Reason);

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

    [Fact]
    public void A_kind_the_generator_does_not_support_is_refused_with_0x17_whatever_its_value()
    {
        var relaxed = SimulatorRig.Relaxed();
        using var rig = new SimulatorRig(relaxed with { Capabilities = relaxed.Capabilities with { Kinds = new HashSet<ExposureKind> { ExposureKind.Fluoro, ExposureKind.Cine } } });
        byte[] setting = GeneratorProbe.Setting(new TechniqueSetting(ExposureKind.Fluoro, new Technique(70, 10, 5), 15));
        foreach (byte kind in new byte[] { 0, 3, 9, 255 })
        {
            foreach (var command in new[] { MessageType.Prepare, MessageType.ExposeOn, MessageType.GetTechnique })
            {
                var refusal = rig.Probe.Command(command, [kind]).Refusal;
                Assert.True(refusal is { Reason: RefusalReason.KindNotSupported }, $"{command} of kind {kind}: {refusal}");
            }
            setting[0] = kind;
            var refused = rig.Probe.Command(MessageType.SetTechnique, setting).Refusal;
            Assert.True(refused is { Reason: RefusalReason.KindNotSupported }, $"SetTechnique of kind {kind}: {refused}");
        }
        // A payload of the wrong length is malformed, whatever its kind byte says.
        Assert.Equal(RefusalReason.Malformed, rig.Probe.Command(MessageType.Prepare, []).Refusal!.Value.Reason);
        Assert.Equal(RefusalReason.Malformed, rig.Probe.Command(MessageType.ExposeOn, [9, 1]).Refusal!.Value.Reason);
        Assert.Equal(RefusalReason.Malformed, rig.Probe.Command(MessageType.SetTechnique, setting.AsSpan(0, 5)).Refusal!.Value.Reason);
    }

    private static byte[] Frame(ushort sequence, MessageType type, ReadOnlySpan<byte> payload = default)
    {
        byte[] frame = new byte[GeneratorFrame.MaxFrame];
        return frame[..GeneratorFrame.Encode(frame, sequence, type, payload)];
    }

    /// <summary>SEQs from <paramref name="from"/> on whose GetStatus frames hold no STX after the first byte, so that a
    /// receiver resynchronising inside one finds no false frame start.</summary>
    private static ushort[] CleanSequences(ushort from, int count)
    {
        var found = new List<ushort>();
        for (ushort s = from; found.Count < count; s += 0x11)
        {
            if (Frame(s, MessageType.GetStatus).AsSpan(1).IndexOf(GeneratorFrame.Stx) < 0) found.Add(s);
        }
        return [.. found];
    }

    [Fact]
    public void Each_kind_of_damaged_frame_gets_its_documented_FrameError_or_none()
    {
        using var rig = new SimulatorRig();
        ushort[] seq = CleanSequences(0x1212, 5);
        // LEN > 250: reason 0x02, SEQ 0 (the SEQ is not read).
        rig.Probe.SendRaw([GeneratorFrame.Stx, 251, 0x11, 0x11, 0x09]);
        // Wrong ETX: reason 0x02 with the frame's SEQ.
        byte[] badEnd = Frame(seq[0], MessageType.GetStatus);
        badEnd[^1] = 0x55;
        rig.Probe.SendRaw(badEnd);
        // Wrong CRC: reason 0x01 with the frame's SEQ.
        byte[] badCrc = Frame(seq[1], MessageType.GetStatus);
        badCrc[5] = (byte)(badCrc[5] == 0x55 ? 0x56 : 0x55);
        rig.Probe.SendRaw(badCrc);
        // A frame cut off by the frames that follow: FrameError for it, and the following frames are still executed.
        byte[] cut = Frame(0x1414, MessageType.SetTechnique, GeneratorProbe.Setting(new TechniqueSetting(ExposureKind.Fluoro, new Technique(70, 10, 5), 15)));
        rig.Probe.SendRaw([.. cut[..6], .. Frame(seq[2], MessageType.GetStatus), .. Frame(seq[3], MessageType.GetStatus)]);
        Assert.True(rig.Probe.WaitFor(() => rig.Probe.AnswerLog.Any(a => a.Sequence == seq[3]), TimeSpan.FromSeconds(10)), "the frames after the cut-off one were not answered");

        // A truncated frame followed by silence: dropped unanswered.
        rig.Probe.SendRaw(Frame(seq[4], MessageType.GetStatus)[..5]);
        Thread.Sleep(200);
        rig.Probe.Ack(MessageType.GetStatus);

        var errors = rig.Probe.FrameErrorLog.ToArray();
        Assert.Contains(((ushort)0, RefusalReason.Malformed), errors);
        Assert.Contains((seq[0], RefusalReason.Malformed), errors);
        Assert.Contains((seq[1], RefusalReason.CrcError), errors);
        Assert.Contains(((ushort)0x1414, RefusalReason.Malformed), errors);
        Assert.Contains(rig.Probe.AnswerLog, a => a.Sequence == seq[2] && a.Type == MessageType.Ack);
        Assert.DoesNotContain(errors, e => e.Sequence == seq[4]);
        Assert.DoesNotContain(rig.Probe.AnswerLog, a => a.Sequence == seq[0] || a.Sequence == seq[1] || a.Sequence == seq[4] || a.Sequence == 0x1414);
    }

    /// <summary>Sends a GetStatus frame in two parts with <paramref name="pause"/> of line silence between them on the
    /// endpoint's clock; returns whether it was executed.</summary>
    private static bool ExecutedAfterAPause(SimulatorRig rig, SimulatorRig.ManualClock clock, ushort sequence, TimeSpan pause, bool dropExpected)
    {
        byte[] frame = Frame(sequence, MessageType.GetStatus);
        long dropped = rig.Endpoint.PartialFramesDropped;
        long received = rig.Endpoint.BytesReceived;
        rig.Probe.SendRaw(frame.AsSpan(0, 3));
        Assert.True(rig.Probe.WaitFor(() => rig.Endpoint.BytesReceived >= received + 3, TimeSpan.FromSeconds(10)), "the first part never arrived");
        clock.Advance(pause);
        if (dropExpected) Assert.True(rig.Probe.WaitFor(() => rig.Endpoint.PartialFramesDropped > dropped, TimeSpan.FromSeconds(10)), $"{pause.TotalMilliseconds} ms of silence did not drop the partial frame");
        else Thread.Sleep(50); // the endpoint looks at the line, on its clock still inside the timeout
        rig.Probe.SendRaw(frame.AsSpan(3));
        rig.Probe.Ack(MessageType.GetStatus);
        return rig.Probe.AnswerLog.Any(a => a.Sequence == sequence);
    }

    [Fact]
    public void Twenty_ms_of_silence_inside_a_frame_drops_it_and_less_does_not()
    {
        var clock = new SimulatorRig.ManualClock();
        using var rig = new SimulatorRig(serialTime: clock);
        ushort[] sequences = CleanSequences(0x4010, 4);
        Assert.True(ExecutedAfterAPause(rig, clock, sequences[0], TimeSpan.FromMilliseconds(19.5), dropExpected: false));
        Assert.False(ExecutedAfterAPause(rig, clock, sequences[1], TimeSpan.FromMilliseconds(20), dropExpected: true));
        Assert.False(ExecutedAfterAPause(rig, clock, sequences[2], TimeSpan.FromMilliseconds(25), dropExpected: true));
        Assert.True(ExecutedAfterAPause(rig, clock, sequences[3], TimeSpan.FromMilliseconds(10), dropExpected: false));
        Assert.Equal(2, rig.Endpoint.PartialFramesDropped);
    }

    [Fact]
    public void A_station_back_after_an_absence_gets_Identify_answered_before_any_flood_of_stale_events()
    {
        var relaxed = SimulatorRig.Relaxed();
        var rig = new SimulatorRig(relaxed with { Capabilities = relaxed.Capabilities with { HeartbeatWindowMs = 250 } });
        try
        {
            rig.Probe.Dispose(); // the station closes its port
            Thread.Sleep(400);
            var answer = new byte[GeneratorFrame.MaxPayload];
            for (int i = 0; i < 300; i++)
            {
                rig.Generator.InjectFault(FaultCode.Arc);
                var w = new PayloadWriter(answer);
                Assert.Null(rig.Generator.Execute(MessageType.ResetFault, default, ref w));
            }
            Thread.Sleep(2000);

            using var station = new GeneratorProbe(rig.Pty.StationEnd);
            station.Ack(MessageType.Identify);
            Assert.True(station.EventFramesBeforeLastAnswer <= 40, $"{station.EventFramesBeforeLastAnswer} stale event frames came before the Identify answer");
            Assert.True(rig.Endpoint.EventsLost >= 900 - ReliableEventSender.DefaultCapacity, $"{rig.Endpoint.EventsLost} events lost");
            // The new session's events flow.
            station.Ack(MessageType.Prepare, GeneratorProbe.Kind(ExposureKind.Fluoro));
            Assert.True(station.WaitFor(() => station.EventsOf<StateChangedEvent>().Any(e => e.State == GeneratorState.Ready), TimeSpan.FromSeconds(10)));
        }
        finally
        {
            rig.Dispose();
        }
    }
}
