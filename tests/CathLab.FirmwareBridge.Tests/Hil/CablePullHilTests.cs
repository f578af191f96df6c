using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Link;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Wire.Generator;
using Xunit.Abstractions;

namespace CathLab.FirmwareBridge.Tests.Hil;

/// <summary>The cable between station and generator pulled (socat killed, both device paths gone) and plugged back in
/// (a new socat at the same paths, a freshly powered simulated generator on it). The station is not restarted: the
/// same link object reports the loss, keeps trying with back-off, and comes back by itself.</summary>
[Collection("hil")]
public sealed class CablePullHilTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_pull_during_fluoro_stops_emission_and_the_link_comes_back_by_itself()
    {
        await using var rig = await SimRig.StartAsync();
        var states = new List<LinkState>();
        rig.Link.StateChanged += (s, why) =>
        {
            lock (states) states.Add(s);
            output.WriteLine($"link {s}: {why}");
        };
        var alerts = new List<BridgeAlert>();
        rig.Bridge.Alert += a => { lock (alerts) alerts.Add(a); };
        var stored = await rig.Link.SetTechniqueAsync(new TechniqueSetting(ExposureKind.Fluoro, new Technique(75, 20, 6), 30));
        rig.ExposeUntilPulses(ExposureKind.Fluoro, 5);
        Assert.Equal(ExposureState.ExposingFluoro, rig.Bridge.Exposure.State);

        var oldGenerator = rig.Generator;
        var oldPulses = rig.Delivered;
        long window = rig.Link.Capabilities!.HeartbeatWindowMs * 1000L;
        long pulledAt = oldGenerator.NowMicros;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        rig.PullCable();

        await Until.TrueAsync(() => rig.Link.State == LinkState.Down, "link down");
        output.WriteLine($"link down {clock.ElapsedMilliseconds} ms after the pull (heartbeat window {window / 1000} ms)");
        Assert.False(rig.Link.HeartbeatRunning);
        await Until.TrueAsync(() => rig.Bridge.Exposure.State == ExposureState.Fault, "exposure controller in Fault");
        Assert.False(rig.Bridge.Exposure.GeneratorExposing);
        await Until.TrueAsync(() => { lock (alerts) return alerts.Any(a => a.Kind == BridgeAlertKind.LinkLost); }, "link lost alert");
        await Assert.ThrowsAsync<GeneratorLinkDownException>(() => rig.Link.GetStatusAsync());
        Assert.False(rig.Bridge.Exposure.PedalPressed(ExposureKind.Fluoro).Accepted);

        output.WriteLine($"controller in fault {clock.ElapsedMilliseconds} ms after the pull");
        // The generator, cut off, stops itself when the heartbeats stop.
        await Until.TrueAsync(() => oldGenerator.State == GeneratorState.Fault, "generator stopped by its heartbeat watchdog");
        Assert.True(oldPulses.After(pulledAt + window) <= 1, $"{oldPulses.After(pulledAt + window)} pulses after the heartbeat window");
        output.WriteLine($"{oldPulses.After(pulledAt)} pulses after the pull, {oldPulses.After(pulledAt + window)} after the heartbeat window");

        clock.Restart();
        rig.RestoreCable();
        await Until.TrueAsync(() => rig.Link.State == LinkState.Connected, "reconnected", 60_000);
        output.WriteLine($"reconnected {clock.ElapsedMilliseconds} ms after the cable came back");
        Assert.True(rig.Link.Reconnects >= 1);
        Assert.Equal("CathLab SimGen 125", rig.Link.Identity!.Value.Model);
        Assert.Equal(rig.Generator.Options.Capabilities.HeartbeatWindowMs, rig.Link.Capabilities!.HeartbeatWindowMs);
        // The freshly powered generator got the last confirmed technique again.
        Assert.Equal(stored, await rig.Link.GetTechniqueAsync(ExposureKind.Fluoro));
        await Until.TrueAsync(() => { lock (alerts) return alerts.Any(a => a.Kind == BridgeAlertKind.LinkRestored); }, "link restored alert");

        // Still in Fault until the operator resets; then a second exposure runs, each command applied once.
        Assert.Equal(ExposureState.Fault, rig.Bridge.Exposure.State);
        output.WriteLine($"checks done {clock.ElapsedMilliseconds} ms after the cable came back");
        await rig.Bridge.Exposure.ResetFaultAsync();
        output.WriteLine($"reset {clock.ElapsedMilliseconds} ms after the cable came back");
        int startedBefore = rig.Events.OfType<ExposureStartedEvent>().Count;
        rig.ExposeUntilPulses(ExposureKind.Fluoro, 3);
        rig.Bridge.Exposure.PedalReleased();
        rig.Events.WaitFor(e => e.OfType<ExposureEndedEvent>().Any(x => x.Reason == ExposureEndReason.Released), "second exposure end");
        Assert.Equal(startedBefore + 1, rig.Events.OfType<ExposureStartedEvent>().Count);
        Assert.Equal(stored, rig.Events.OfType<ExposureStartedEvent>()[^1].Setting);
        rig.WaitForExposure(ExposureState.Ready);
        output.WriteLine($"second exposure done {clock.ElapsedMilliseconds} ms after the cable came back; port closes abandoned in this process so far: {SerialPortConnector.AbandonedPorts}");
        lock (states) Assert.Equal([LinkState.Down, LinkState.Connected], states.Take(2));
    }

    [Fact]
    public async Task A_pull_while_idle_is_reported_and_the_link_reconnects_once_the_cable_is_back()
    {
        await using var rig = await SimRig.StartAsync();
        var alerts = new List<BridgeAlert>();
        rig.Bridge.Alert += a => { lock (alerts) alerts.Add(a); };
        var stored = await rig.Link.SetTechniqueAsync(new TechniqueSetting(ExposureKind.Cine, new Technique(80, 200, 6), 15));
        rig.PullCable();
        await Until.TrueAsync(() => rig.Link.State == LinkState.Down, "link down");
        await Until.TrueAsync(() => rig.Bridge.Exposure.State == ExposureState.LinkDown, "exposure controller in LinkDown");

        // With the cable out, the link keeps trying (with back-off) and stays down.
        await Until.TrueAsync(() => rig.Log.Lines.Count(l => l.Contains("Cannot open")) >= 3, "several reconnection attempts");
        Assert.Equal(LinkState.Down, rig.Link.State);
        await Assert.ThrowsAsync<GeneratorLinkDownException>(() => rig.Link.SetTechniqueAsync(stored));

        rig.RestoreCable();
        await Until.TrueAsync(() => rig.Link.State == LinkState.Connected, "reconnected", 60_000);
        Assert.Equal(1, rig.Link.Reconnects);
        Assert.Equal("CathLab SimGen 125", rig.Link.Identity!.Value.Model);
        Assert.Equal(stored, await rig.Link.GetTechniqueAsync(ExposureKind.Cine));
        // Lost while idle, and the generator is idle without a fault: back to Idle without a fault reset.
        await Until.TrueAsync(() => rig.Bridge.Exposure.State == ExposureState.Idle, "back to Idle by itself");
        await Until.TrueAsync(() => { lock (alerts) return alerts.Any(a => a.Kind == BridgeAlertKind.LinkRestored); }, "alert");
        Assert.True(rig.Link.HeartbeatRunning);
        var status = await rig.Link.GetStatusAsync();
        Assert.Equal(GeneratorState.Idle, status.State);
        Assert.Equal(0u, status.PulsesDelivered);
        rig.ExposeUntilPulses(ExposureKind.Cine, 2);
        rig.Bridge.Exposure.PedalReleased();
        rig.Events.WaitFor(e => e.OfType<ExposureEndedEvent>().Any(x => x.Reason == ExposureEndReason.Released), "exposure end");
    }

    [Fact]
    public async Task A_technique_the_new_generator_cannot_take_is_dropped_with_an_error_and_the_link_still_comes_back()
    {
        await using var rig = await SimRig.StartAsync();
        await rig.Link.SetTechniqueAsync(new TechniqueSetting(ExposureKind.Fluoro, new Technique(110, 20, 6), 15));
        var cine = await rig.Link.SetTechniqueAsync(new TechniqueSetting(ExposureKind.Cine, new Technique(65, 200, 6), 15));
        rig.PullCable();
        await Until.TrueAsync(() => rig.Link.State == LinkState.Down, "link down");

        // A different generator comes back on the line: 100 kV at most.
        var smaller = SimRig.LoadTolerantGenerator with
        {
            Capabilities = SimRig.LoadTolerantGenerator.Capabilities with { Kv = new FactorRange(40, 100) },
        };
        rig.RestoreCable(smaller);
        await Until.TrueAsync(() => rig.Link.State == LinkState.Connected, "reconnected", 60_000);
        Assert.Equal(new FactorRange(40, 100), rig.Link.Capabilities!.Kv);
        Assert.Equal([cine], rig.Link.StoredTechniques);
        Assert.Equal(cine, await rig.Link.GetTechniqueAsync(ExposureKind.Cine));
        Assert.Contains(rig.Log.Lines, l => l.StartsWith("Error:", StringComparison.Ordinal) && l.Contains("refused the Fluoro technique"));
        // The generator kept its own fluoro technique, which is what the station now reads back.
        var fluoro = await rig.Link.GetTechniqueAsync(ExposureKind.Fluoro);
        Assert.NotEqual(110, fluoro.Technique.Kv);
    }
}
