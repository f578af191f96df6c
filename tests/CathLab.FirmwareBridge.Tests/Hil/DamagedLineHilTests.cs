using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Sims.Generator;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Hil;

/// <summary>1 % of serial bytes corrupted and 0.1 % dropped, both ways: no command lost or applied twice, every event
/// delivered once, and the exposure state always known.</summary>
[Collection("hil")]
public sealed class DamagedLineHilTests
{
    [Fact]
    public async Task No_command_is_lost_or_duplicated_and_the_exposure_state_is_always_known()
    {
        await using var rig = await SimRig.StartAsync(new SerialFaultOptions { CorruptRate = 0.01, DropRate = 0.001, Seed = 5 });

        // Techniques: each one stored exactly as sent, and the latest always wins (a stale or repeated SetTechnique
        // applied late would show in the following GetTechnique).
        for (int i = 0; i < 60; i++)
        {
            var kind = (ExposureKind)(1 + i % 3);
            var setting = new TechniqueSetting(kind, new Technique(60 + i % 30, 10 + i, 4 + (i % 6)), 7.5);
            var stored = await rig.Link.SetTechniqueAsync(setting);
            Assert.Equal(setting.Technique.Kv, stored.Technique.Kv, 6);
            Assert.Equal(setting.Technique.Ma, stored.Technique.Ma, 6);
            Assert.Equal(stored, await rig.Link.GetTechniqueAsync(kind));
        }
        await rig.Link.SetTechniqueAsync(new TechniqueSetting(ExposureKind.Fluoro, new Technique(75, 20, 6), 7.5));

        // Exposures: each pedal press makes exactly one exposure and each release ends it.
        const int runs = 6;
        for (int run = 0; run < runs; run++)
        {
            rig.ExposeUntilPulses(ExposureKind.Fluoro, 3);
            Assert.Equal(ExposureState.ExposingFluoro, rig.Bridge.Exposure.State);
            Assert.Equal(GeneratorState.Exposing, (await rig.Link.GetStatusAsync()).State);
            rig.Bridge.Exposure.PedalReleased();
            rig.Events.WaitFor(e => e.OfType<ExposureEndedEvent>().Count() > run, "exposure end");
            rig.WaitForExposure(ExposureState.Ready);
            var status = await rig.Link.GetStatusAsync();
            Assert.Equal(GeneratorState.Ready, status.State);
        }

        var started = rig.Events.OfType<ExposureStartedEvent>();
        var ended = rig.Events.OfType<ExposureEndedEvent>();
        Assert.Equal(runs, started.Count);
        Assert.Equal(runs, ended.Count);
        Assert.All(ended, e => Assert.Equal(ExposureEndReason.Released, e.Reason));
        // Events once and in order: the pulse ids the station heard are 1..N without a gap or a repeat,
        // N being every pulse the tube delivered.
        var ids = rig.Events.OfType<PulseEvent>().Select(p => p.PulseId).ToArray();
        Assert.Equal(Enumerable.Range(1, ids.Length).Select(i => (uint)i), ids);
        Assert.Equal(rig.Generator.PulsesDelivered, (uint)ids.Length);
        Assert.Equal(ended.Sum(e => (long)e.Pulses), ids.Length);
        Assert.Equal(0, rig.Bridge.Exposure.UnexpectedPulses);
        // The line really was damaged, and the protocol repaired it.
        Assert.True(rig.Endpoint.BytesCorrupted > 0);
        Assert.True(rig.Link.Retransmissions > 0 || rig.Link.EventsDropped > 0);
        Assert.Equal(Link.LinkState.Connected, rig.Link.State);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "fw-damaged-line.txt"),
            $"corrupted {rig.Endpoint.BytesCorrupted} dropped {rig.Endpoint.BytesDropped} retransmissions {rig.Link.Retransmissions} " +
            $"duplicates answered from memory {rig.Endpoint.DuplicateCommands} damaged frames station {rig.Link.DamagedFrames} generator {rig.Endpoint.DamagedFrames} " +
            $"events dropped as out of order {rig.Link.EventsDropped} delivered {rig.Link.EventsDelivered}");
    }
}
