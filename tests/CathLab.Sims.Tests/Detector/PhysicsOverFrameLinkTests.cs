using CathLab.Sims.Detector;
using CathLab.Sims.Phantom;
using CathLab.Wire.FrameLink;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Tests.Detector;

/// <summary>The physics relations, observed the way the station will see them: frames over a real frame-link socket.</summary>
public class PhysicsOverFrameLinkTests
{
    private const int Roi = 160;
    private const int RoiX = 420;
    private const int RoiY = 420;

    [Fact]
    public async Task Brightness_rises_with_mAs()
    {
        using var sim = RunningDetector.WaterSlab();
        using var client = await Subscribed(sim);
        var maps = sim.Detector.Calibration(DetectorMode.Full1024);
        double offset = sim.Detector.Physics.MeanOffsetLsb;
        double[] means = new double[3];
        double[] mas = [0.05, 0.1, 0.2];
        for (int i = 0; i < mas.Length; i++)
        {
            sim.Pulse(new Technique(75, mas[i] * 1000 / 5, 5));
            var frame = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
            means[i] = RoiStatistics.Mean(frame.Pixels, maps, RoiX, RoiY, Roi);
        }
        Assert.True(means[0] < means[1] && means[1] < means[2], string.Join(", ", means));
        // Above the offset the signal is proportional to mAs.
        Assert.InRange((means[2] - offset) / (means[0] - offset), 3.6, 4.4);
    }

    [Fact]
    public async Task Brightness_rises_with_kV()
    {
        using var sim = RunningDetector.WaterSlab();
        using var client = await Subscribed(sim);
        var maps = sim.Detector.Calibration(DetectorMode.Full1024);
        var means = new List<double>();
        foreach (double kv in new[] { 60.0, 75, 90, 110 })
        {
            sim.Pulse(new Technique(kv, 10, 6));
            var frame = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
            means.Add(RoiStatistics.Mean(frame.Pixels, maps, RoiX, RoiY, Roi));
        }
        Assert.Equal(means.Order(), means);
        Assert.True(means[^1] > 3 * means[0], string.Join(", ", means));
    }

    [Fact]
    public async Task Brightness_falls_with_patient_thickness()
    {
        var means = new List<double>();
        foreach (double thickness in new[] { 15.0, 25, 35 })
        {
            using var sim = RunningDetector.WaterSlab(thickness);
            using var client = await Subscribed(sim);
            sim.Pulse(new Technique(90, 20, 8));
            var frame = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
            means.Add(RoiStatistics.Mean(frame.Pixels, sim.Detector.Calibration(DetectorMode.Full1024), RoiX, RoiY, Roi));
        }
        Assert.Equal(means.OrderDescending(), means);
        Assert.True(means[0] > 2 * means[1] && means[1] > 1.2 * means[2], string.Join(", ", means));
    }

    [Fact]
    public async Task Relative_noise_variance_falls_with_dose_and_noise_variance_tracks_the_quanta()
    {
        using var sim = RunningDetector.WaterSlab();
        using var client = await Subscribed(sim);
        var maps = sim.Detector.Calibration(DetectorMode.Full1024);
        double offset = sim.Detector.Physics.MeanOffsetLsb;
        var relative = new List<double>();
        double varianceOverSignalAtTopDose = 0;
        foreach (double ma in new[] { 10.0, 20, 40 })
        {
            var technique = new Technique(75, ma, 6);
            sim.Pulse(technique);
            sim.Pulse(technique);
            var a = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
            var b = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
            double signal = RoiStatistics.Mean(a.Pixels, maps, RoiX, RoiY, Roi) - offset;
            double variance = RoiStatistics.TemporalVariance(a.Pixels, b.Pixels, maps, RoiX, RoiY, Roi);
            relative.Add(variance / (signal * signal));
            varianceOverSignalAtTopDose = variance / signal;
        }
        Assert.True(relative[0] > relative[1] && relative[1] > relative[2], string.Join(", ", relative));
        // Quantum-limited: four times the dose, a quarter of the relative variance (less a little electronic noise).
        Assert.InRange(relative[2] / relative[0], 0.18, 0.32);
        // Poisson: variance / signal is the LSB per detected quantum.
        Assert.InRange(varianceOverSignalAtTopDose / sim.Detector.Physics.LsbPerQuantum, 0.85, 1.2);
    }

    [Fact]
    public async Task Lead_in_the_field_reads_near_the_dark_offset()
    {
        var lead = new LeadObject(0.5, 0.5, 0.3, 0.3, ThicknessMm: 1.0);
        using var sim = RunningDetector.WaterSlab(20, [lead]);
        using var client = await Subscribed(sim);
        var maps = sim.Detector.Calibration(DetectorMode.Full1024);
        sim.Pulse(new Technique(75, 10, 6));
        var frame = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
        double behindLead = RoiStatistics.Mean(frame.Pixels, maps, 462, 462, 100);
        double besideLead = RoiStatistics.Mean(frame.Pixels, maps, 50, 50, 100);
        double offset = sim.Detector.Physics.MeanOffsetLsb;
        double fullScale = sim.Detector.Physics.FullScale;
        Assert.InRange(behindLead, offset - 0.01 * fullScale, offset + 0.01 * fullScale);
        Assert.True(besideLead - offset > 20 * (behindLead - offset + 1), $"lead {behindLead}, beside {besideLead}");
    }

    [Fact]
    public async Task Contrast_bolus_darkens_the_vessels_after_injection_and_washes_out()
    {
        var options = new SimulatedDetectorOptions
        {
            Phantom = new PhantomOptions
            {
                Preset = PhantomPreset.Coronary,
                HeartRateBpm = 0,
                RespiratoryAmplitudePixels = 0,
                BolusArrivalSeconds = 0.2,
                BolusTimeToPeakSeconds = 0.3,
            },
        };
        using var sim = new RunningDetector(options);
        using var client = await Subscribed(sim);
        var technique = new Technique(75, 20, 6);
        sim.Pulse(technique);
        var before = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
        sim.Detector.InjectContrast();
        // 15 pulses per second: arrival 0.2 s + peak 0.3 s = 7.5 pulses; read the frame at the peak and long after.
        Assert.Equal(0, sim.Detector.World.Bolus.ConcentrationAt(0));
        FrameLinkTestClient.Message? peak = null;
        FrameLinkTestClient.Message? late = null;
        for (int i = 1; i <= 40; i++)
        {
            sim.Pulse(technique);
            var frame = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
            if (i == 8)
            {
                peak = frame;
            }
            if (i == 40)
            {
                late = frame;
            }
        }
        double Vessel(FrameLinkTestClient.Message m) => VesselMean(m, sim.Detector.World);
        Assert.True(Vessel(peak!) < 0.8 * Vessel(before), $"before {Vessel(before)}, peak {Vessel(peak!)}");
        Assert.True(Vessel(late!) > Vessel(peak!), $"peak {Vessel(peak!)}, late {Vessel(late!)}");
    }

    [Fact]
    public async Task Collimated_off_area_reads_darker_than_the_open_field()
    {
        using var sim = RunningDetector.WaterSlab();
        sim.Detector.World.Collimation = new Collimation(0.25, 0.25, 0.75, 0.75);
        using var client = await Subscribed(sim);
        var maps = sim.Detector.Calibration(DetectorMode.Full1024);
        sim.Pulse(new Technique(80, 40, 6));
        var frame = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
        double open = RoiStatistics.Mean(frame.Pixels, maps, 450, 450, 100) - sim.Detector.Physics.MeanOffsetLsb;
        double shut = RoiStatistics.Mean(frame.Pixels, maps, 20, 20, 100) - sim.Detector.Physics.MeanOffsetLsb;
        Assert.InRange(shut / open, 0.005, 0.05);
    }

    [Fact]
    public void Rendering_is_deterministic_for_a_seed()
    {
        var options = new SimulatedDetectorOptions { Phantom = new PhantomOptions { Preset = PhantomPreset.Peripheral } };
        var a = RenderOnce(options);
        var b = RenderOnce(options);
        var c = RenderOnce(options with { Seed = 2 });
        Assert.True(a.AsSpan().SequenceEqual(b));
        Assert.False(a.AsSpan().SequenceEqual(c));
    }

    private static ushort[] RenderOnce(SimulatedDetectorOptions options)
    {
        var physics = new Sims.Physics.XRayPhysics(options.Physics, options.BitsStored);
        var world = new PhantomWorld(options.Phantom, options.Physics.PixelPitchMm);
        var renderer = new FrameRenderer(world, physics, (ulong)options.Seed);
        var pixels = new ushort[1024 * 1024];
        renderer.RenderExposure(new Technique(70, 10, 5), 2_000_000, DetectorMode.Full1024, 7, pixels);
        return pixels;
    }

    private static double VesselMean(FrameLinkTestClient.Message frame, PhantomWorld world)
    {
        var (_, _, vx, vy) = world.Origins(0);
        var chords = world.Vessels.Chords;
        double sum = 0;
        int n = 0;
        var pixels = frame.Pixels;
        for (int y = 0; y < 1024; y++)
        {
            for (int x = 0; x < 1024; x++)
            {
                if (chords[(vy + y) * PhantomWorld.WorldSide + vx + x] > 40)
                {
                    sum += pixels[y * 1024 + x];
                    n++;
                }
            }
        }
        Assert.True(n > 1000, $"only {n} vessel pixels in the field");
        return sum / n;
    }

    internal static async Task<FrameLinkTestClient> Subscribed(RunningDetector sim)
    {
        var client = await FrameLinkTestClient.ConnectAsync(sim.Port);
        await client.RequestAsync(FrameLinkRequest.Subscribe);
        return client;
    }
}
