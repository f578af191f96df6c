using CathLab.Acquisition.Protocols;
using CathLab.Sims.Detector;
using CathLab.Wire.Generator;

namespace CathLab.Acquisition.Tests.Hil;

public sealed class RunSequencerHilTests
{
    [Fact]
    public async Task A_cine_run_makes_one_frame_per_pulse_and_the_recorder_gets_every_one()
    {
        await using var rig = await StationRig.StartAsync();
        var protocol = ProtocolCatalog.Find(ProtocolCatalog.Defaults, "cardiac-cine-15");
        var result = await rig.Sequencer.RunAsync(protocol, StationRig.Hold(TimeSpan.FromSeconds(1.2)), CancellationToken.None);

        Assert.True(result.Complete, result.Failure);
        Assert.InRange(result.Pulses, 5, 40);
        Assert.Equal(result.Pulses, result.FramesReceived);
        Assert.True(result.AirKermaMilliGray > 0);
        for (int i = 0; i < 200 && Interlocked.Read(ref rig.Recorded) < result.Pulses; i++) await Task.Delay(10);
        Assert.Equal(result.Pulses, Interlocked.Read(ref rig.Recorded));
        Assert.False(rig.Recorder.HasLostFrames);
        Assert.False(rig.Bridge.Exposure.GeneratorExposing);
        Assert.Equal(rig.Pool.Capacity, rig.Pool.Available);
    }

    [Fact]
    public async Task Phases_change_the_pulse_rate_within_one_run()
    {
        await using var rig = await StationRig.StartAsync();
        var protocol = new AcquisitionProtocol("quick-cerebral", "", RunKind.Dsa,
            [new("arterial", 6, TimeSpan.FromSeconds(0.6)), new("capillary", 2, TimeSpan.FromSeconds(0.6)), new("venous", 4)], MaskFrames: 2);
        var result = await rig.Sequencer.RunAsync(protocol, StationRig.Hold(TimeSpan.FromSeconds(2)), CancellationToken.None);
        Assert.True(result.Complete, result.Failure);
        var stored = await rig.Bridge.GetTechniqueAsync(ExposureKind.Cine);
        Assert.Equal(4, stored.PulseRate);
    }

    [Fact]
    public async Task A_frame_lost_on_the_frame_link_fails_the_run_loudly()
    {
        await using var rig = await StationRig.StartAsync(new DetectorFaultOptions(DropEveryNth: 4));
        var protocol = ProtocolCatalog.Find(ProtocolCatalog.Defaults, "cardiac-cine-15");
        var result = await rig.Sequencer.RunAsync(protocol, StationRig.Hold(TimeSpan.FromSeconds(1)), CancellationToken.None);
        Assert.False(result.Complete);
        Assert.Contains("lost", result.Failure);
        Assert.True(result.FramesLost > 0);
    }

    [Fact]
    public async Task A_protocol_the_generator_cannot_run_is_refused_before_any_exposure()
    {
        await using var rig = await StationRig.StartAsync();
        var protocol = new AcquisitionProtocol("too-fast", "", RunKind.Cine, [new("cine", 120)]);
        await Assert.ThrowsAsync<ArgumentException>(() => rig.Sequencer.RunAsync(protocol, StationRig.Hold(TimeSpan.FromSeconds(1)), CancellationToken.None));
        Assert.Equal(0u, rig.Generator.PulsesDelivered);
    }

    [Fact]
    public async Task A_second_run_while_one_is_exposing_is_refused_and_the_first_completes()
    {
        await using var rig = await StationRig.StartAsync();
        var protocol = ProtocolCatalog.Find(ProtocolCatalog.Defaults, "cardiac-cine-15");
        var release = new TaskCompletionSource();
        var first = rig.Sequencer.RunAsync(protocol, _ => release.Task, CancellationToken.None);
        for (int i = 0; i < 300 && !rig.Bridge.Exposure.GeneratorExposing; i++) await Task.Delay(10);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => rig.Sequencer.RunAsync(protocol, StationRig.Hold(TimeSpan.FromSeconds(1)), CancellationToken.None));
        Assert.Contains("one run at a time", refused.Message, StringComparison.Ordinal);
        release.SetResult();
        var result = await first;
        Assert.True(result.Complete, result.Failure);
        Assert.Equal(result.Pulses, result.FramesReceived);
    }
}
