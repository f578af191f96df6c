using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Link;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Sims.Generator;
using CathLab.Wire.Generator;
using Xunit.Abstractions;

namespace CathLab.FirmwareBridge.Tests.Hil;

/// <summary>A heartbeat goes out on its own period whatever command is in flight: a command being retried (here every
/// answer lost seven times, as on a line that eats them) never delays it past the generator's window, and the command
/// itself is still executed exactly once.</summary>
[Collection("hil")]
public sealed class HeartbeatUnderRetriesHilTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Continuous_technique_traffic_with_lost_answers_never_starves_the_heartbeat_during_fluoro()
    {
        // Room for the retries below and then some (a loaded test machine delays answers too), so the link stays up.
        await using var rig = await SimRig.StartAsync(timings: SimRig.LoadTolerantTimings with { MaxRetries = 14 });
        int window = rig.Link.Capabilities!.HeartbeatWindowMs;
        Assert.Equal(TimeSpan.FromMilliseconds(window / 4.0), rig.Link.HeartbeatPeriod);
        await rig.Link.SetTechniqueAsync(new TechniqueSetting(ExposureKind.Fluoro, new Technique(75, 20, 6), 30));
        rig.ExposeUntilPulses(ExposureKind.Fluoro, 3);

        // Each command now needs 10 transmissions: with the rig's 100 ms answer timeout that is 900 ms and more of the
        // generator's 1 s window, so a heartbeat queued behind one would arrive too late (the link before this change
        // failed here).
        const int withheld = 9;
        rig.Endpoint.Faults = new SerialFaultOptions { WithheldAnswers = withheld };
        rig.Generator.ResetHeartbeatGap();
        long executedBefore = rig.Endpoint.Executed(MessageType.SetTechnique);
        long retransmissionsBefore = rig.Link.Retransmissions;
        long heartbeatsBefore = rig.Link.HeartbeatsSent;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        const int commands = 5;
        TechniqueSetting last = default;
        for (int i = 0; i < commands; i++)
        {
            // What the ABC loop does at every frame: a new technique, the one in flight finishing first (stop-and-wait).
            last = new TechniqueSetting(ExposureKind.Fluoro, new Technique(75 + i, 21 + i, 6), 30);
            var stored = await rig.Link.SetTechniqueAsync(last);
            Assert.Equal(last.Technique.Kv, stored.Technique.Kv, 6);
            Assert.Equal(last.Technique.Ma, stored.Technique.Ma, 6);
        }
        rig.Endpoint.Faults = SerialFaultOptions.None;
        long gap = rig.Generator.MaxHeartbeatGapMicros;
        output.WriteLine($"{commands} commands in {clock.ElapsedMilliseconds} ms, {rig.Link.Retransmissions - retransmissionsBefore} retransmissions, " +
            $"{rig.Link.HeartbeatsSent - heartbeatsBefore} heartbeats sent, longest heartbeat gap at the generator {gap / 1000} ms (window {window} ms), {rig.Endpoint.FramesUnsent} generator frames unsent");

        Assert.True(gap < window * 1000L, $"heartbeat gap {gap / 1000} ms reached the {window} ms window");
        Assert.DoesNotContain(rig.Events.Snapshot(), e => e is FaultEvent);
        Assert.DoesNotContain(rig.Events.OfType<ExposureEndedEvent>(), e => e.Reason == ExposureEndReason.HeartbeatLost);
        Assert.Equal(LinkState.Connected, rig.Link.State);
        Assert.Equal(GeneratorState.Exposing, rig.Generator.State);
        Assert.Equal(ExposureState.ExposingFluoro, rig.Bridge.Exposure.State);
        // Exactly once: every command executed once and its retries answered from memory, heartbeats in between or not.
        Assert.Equal(executedBefore + commands, rig.Endpoint.Executed(MessageType.SetTechnique));
        Assert.True(rig.Link.Retransmissions - retransmissionsBefore >= commands * withheld);
        Assert.Equal(last, await rig.Link.GetTechniqueAsync(ExposureKind.Fluoro));

        rig.Bridge.Exposure.PedalReleased();
        rig.Events.WaitFor(e => e.OfType<ExposureEndedEvent>().Any(x => x.Reason == ExposureEndReason.Released), "exposure end");
        Assert.Single(rig.Events.OfType<ExposureStartedEvent>());
    }
}
