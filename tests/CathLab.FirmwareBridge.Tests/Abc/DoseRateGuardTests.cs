using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Tests.Exposure;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Abc;

/// <summary>The dose-rate limiter as an input of exposure control: a brightness loop that asks for more than the limit
/// allows is held at the limit, and when even the lowest technique is over it, or the generator reports a rate over it,
/// emission stops before the next pulse.</summary>
public sealed class DoseRateGuardTests
{
    private const double Limit = 88;
    private const double PulseRate = 15;

    private static (FakeGeneratorLink Link, GeneratorBridge Bridge) Exposing()
    {
        var link = new FakeGeneratorLink { Capabilities = TestCapabilities.Default };
        var bridge = new GeneratorBridge(link);
        Assert.True(bridge.Exposure.PedalPressed(ExposureKind.Fluoro).Accepted);
        ExposureControllerTests.Settle(link, bridge.Exposure);
        Assert.True(link.Emitting);
        return (link, bridge);
    }

    [Fact]
    public async Task A_dark_image_is_held_at_the_limit_and_an_unholdable_limit_stops_exposure_within_one_pulse()
    {
        var (link, bridge) = Exposing();
        await using var _ = bridge;
        var abc = bridge.CreateAbc(ExposureKind.Fluoro, PulseRate);
        var technique = (await abc.StartAsync()).Technique;
        var transitions = new List<ExposureTransition>();
        bridge.Exposure.Transitioned += t => { lock (transitions) transitions.Add(t); };

        for (int frame = 0; frame < 60; frame++)
        {
            link.Pulse();
            var decision = abc.OnBrightness(5, technique); // far too dark: the loop asks for more and more
            technique = decision.Applied.Technique;
            Assert.True(decision.Applied.PredictedRateMilliGrayPerMin <= Limit, $"frame {frame}: {decision.Applied.PredictedRateMilliGrayPerMin:0.0} mGy/min");
            ExposureControllerTests.Settle(link, bridge.Exposure);
            Assert.True(link.Emitting, $"frame {frame}: stopped although the limit holds");
        }

        // The tube turns out to give 100 mGy/mAs: even 40 kV, 1 mA, 4 ms at 15 p/s is 360 mGy/min.
        for (int i = 0; i < 8; i++)
        {
            var report = new Technique(40 + i, 1, 4);
            bridge.Calibration.Observe(report, 100 * report.MilliampereSeconds);
        }
        link.Pulse();
        var over = abc.OnBrightness(5, technique);
        Assert.True(over.Applied.OverLimit, over.Applied.ToString());
        int pulsesAtStop = link.Pulses;
        ExposureControllerTests.Settle(link, bridge.Exposure);
        link.Pulse(); // the next pulse the tube would make
        Assert.False(link.Emitting, "still emitting after the limit could not be held");
        Assert.Equal(pulsesAtStop, link.Pulses);
        lock (transitions)
            Assert.Contains(transitions, t => t.Accepted && t.Input is { Trigger: ExposureTrigger.DoseRateExceeded, Source: InputSource.DoseLimiter } && t.Actions.Contains(ExposureAction.SendExposeOff));
    }

    [Fact]
    public async Task A_reported_rate_over_the_limit_beyond_tolerance_stops_exposure_within_one_pulse()
    {
        var (link, bridge) = Exposing();
        await using var _ = bridge;
        // 88 mGy/min at 15 p/s is 97.8 µGy a pulse; 105 µGy is within the 10 % tolerance, 120 µGy is not.
        link.Pulse(105_000);
        ExposureControllerTests.Settle(link, bridge.Exposure);
        Assert.True(link.Emitting, "stopped within the tolerance");
        link.Pulse(120_000);
        ExposureControllerTests.Settle(link, bridge.Exposure);
        int pulses = link.Pulses;
        link.Pulse(120_000);
        Assert.False(link.Emitting);
        Assert.Equal(pulses, link.Pulses);
        Assert.Equal(ExposureState.Ready, bridge.Exposure.State);
    }
}
