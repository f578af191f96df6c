using CathLab.FirmwareBridge.Abc;
using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Sims.Detector;
using CathLab.Sims.Generator;
using CathLab.Sims.Phantom;
using CathLab.Wire.FrameLink;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Hil;

/// <summary>The ABC loop closed through the real simulator: technique over the serial pty, pulses into the simulated
/// detectors, frames back over the frame link, brightness measured on the raw pixels.
/// The simulator's patient thickness and lead are fixed when a detector is built, so a "step" is made by two
/// detectors watching the same generator (20 cm and 25 cm of water, or with lead on the patient) and switching which
/// one's frames the loop sees: to the loop that is exactly a patient that changed between two pulses.</summary>
[Collection("hil")]
public sealed class AbcHilTests
{
    private const double Target = 1200;
    // A low pulse rate keeps the two simulated detectors' rendering within what a shared 2-core machine gives this
    // process, so that a frame reaches the loop about one pulse after it was made, as it would on the real station.
    private const double PulseRate = 4;

    private static Task<SimRig> StartRigAsync() => SimRig.StartAsync();

    private sealed record Sample(int Index, uint PulseId, double Brightness, Technique Technique, Technique Applied, bool Limited, string Patient);

    private static SimulatedDetector Detector(double thicknessCm, IReadOnlyList<LeadObject>? lead = null)
    {
        var detector = new SimulatedDetector(new SimulatedDetectorOptions
        {
            Mode = DetectorMode.Binned512,
            Phantom = new PhantomOptions { Preset = PhantomPreset.WaterSlab, WaterThicknessCm = thicknessCm, LeadObjects = lead ?? [] },
        });
        detector.Start();
        return detector;
    }

    /// <summary>Runs fluoro with the ABC loop; frames come from <paramref name="before"/> until <paramref name="switchAt"/>
    /// frames were seen, then from <paramref name="after"/>.</summary>
    private static async Task<List<Sample>> RunAsync(SimRig rig, SimulatedDetector before, SimulatedDetector after, int switchAt, int total, ExposureKind kind = ExposureKind.Fluoro)
    {
        rig.Generator.AddObserver(before);
        rig.Generator.AddObserver(after);
        var abc = rig.Bridge.CreateAbc(kind, PulseRate, new AbcOptions { TargetBrightness = Target },
            new MeasuringFieldOptions { DarkLevel = before.Physics.MeanOffsetLsb, FullScale = before.Physics.FullScale });
        await abc.StartAsync();
        var samples = new List<Sample>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handle(string patient, FrameHeader header, ReadOnlySpan<ushort> pixels)
        {
            lock (samples)
            {
                bool active = samples.Count < switchAt ? patient == "before" : patient == "after";
                if (!active || samples.Count >= total) return;
                var decision = abc.OnFrame(pixels, header.Width, header.Height, header.Technique);
                samples.Add(new Sample(samples.Count, header.PulseId, decision.Brightness, header.Technique, decision.Applied.Technique, decision.Limited, patient));
                if (samples.Count == total) done.TrySetResult();
            }
        }
        await using var feedBefore = await FrameFeed.SubscribeAsync(before.Port, (h, p) => Handle("before", h, p));
        await using var feedAfter = await FrameFeed.SubscribeAsync(after.Port, (h, p) => Handle("after", h, p));
        var t = rig.Bridge.Exposure.PedalPressed(kind);
        Assert.True(t.Accepted, t + "\n" + string.Join("\n", rig.Log.Lines));
        try
        {
            await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{samples.Count} frames; log:\n" + string.Join("\n", rig.Log.Lines.TakeLast(40)));
        }
        rig.Bridge.Exposure.PedalReleased();
        rig.Events.WaitFor(e => e.OfType<ExposureEndedEvent>().Any(), "exposure end");
        Assert.Null(feedBefore.Error);
        Assert.Null(feedAfter.Error);
        return samples;
    }

    [Theory]
    [InlineData(20.0, 25.0)]
    [InlineData(25.0, 20.0)]
    public async Task Settles_within_ten_frames_of_a_5cm_thickness_step_through_the_simulator(double from, double to)
    {
        // Build the phantoms first: their construction is CPU-heavy and the serial link has 40 ms retry budgets.
        using var a = Detector(from);
        using var b = Detector(to);
        await using var rig = await StartRigAsync();
        const int switchAt = 30;
        var samples = await RunAsync(rig, a, b, switchAt, 60);
        File.WriteAllLines(Path.Combine(Path.GetTempPath(), $"abc-step-{from}-{to}.txt"), samples.Select(s => s.ToString()));

        Assert.All(samples.Skip(switchAt - 10).Take(10), s => Assert.InRange(s.Brightness / Target, 0.95, 1.05));
        Assert.All(samples.Skip(switchAt + 10), s => Assert.InRange(s.Brightness / Target, 0.95, 1.05));
        bool darker = to > from;
        foreach (var s in samples.Skip(switchAt + 3))
        {
            if (darker) Assert.True(s.Brightness / Target <= 1.10, $"frame {s.Index}: overshoot {s.Brightness / Target:P1}");
            else Assert.True(s.Brightness / Target >= 0.90, $"frame {s.Index}: undershoot {s.Brightness / Target:P1}");
        }
        // Every frame's technique came from a pulse report, and the fluoro limit held on every pulse.
        AssertRateLimit(rig, 88);
    }

    [Fact]
    public async Task Lead_in_the_field_drives_to_the_limit_and_holds_flagged_through_the_simulator()
    {
        using var clear = Detector(20);
        using var lead = Detector(20, [new LeadObject(0.5, 0.5, 0.7, 0.7, 1.0)]);
        await using var rig = await StartRigAsync();
        var alerts = new List<BridgeAlert>();
        rig.Bridge.Alert += a => { lock (alerts) alerts.Add(a); };
        var samples = await RunAsync(rig, clear, lead, 20, 60);

        var held = samples.Skip(40).ToList();
        Assert.All(held, s => Assert.True(s.Limited, $"frame {s.Index} not flagged"));
        double spread = held.Max(s => DoseCurve.Output(s.Applied)) - held.Min(s => DoseCurve.Output(s.Applied));
        Assert.True(spread < 0.05, $"technique wanders by {spread:0.000} while held at the limit");
        lock (alerts) Assert.Contains(alerts, a => a.Kind == BridgeAlertKind.DoseRateLimited && a.Text.Contains("noisier"));
        var rates = AssertRateLimit(rig, 88);
        Assert.True(rates[^5..].All(r => r > 0.8 * 88), $"held well below the limit: {string.Join(", ", rates[^5..].Select(r => r.ToString("0.0")))}");
    }

    [Fact]
    public async Task Adversarial_brightness_through_the_link_never_breaks_the_limit()
    {
        await using var rig = await StartRigAsync();
        var abc = rig.Bridge.CreateAbc(ExposureKind.Fluoro, 30);
        await abc.StartAsync();
        var random = new Random(11);
        int fed = 0;
        rig.Link.EventReceived += e =>
        {
            if (e is not PulseEvent pulse) return;
            double b = (fed++ % 5) switch { 0 => 0, 1 => double.NaN, 2 => 1e12, 3 => -5, _ => random.NextDouble() * 10 };
            abc.OnBrightness(b, random.NextDouble() < 0.3 ? new Technique(500, 9999, 99) : pulse.Technique);
        };
        try
        {
            rig.ExposeUntilPulses(ExposureKind.Fluoro, 120);
        }
        catch (TimeoutException e)
        {
            Assert.Fail(e.Message + "\n" + string.Join("\n", rig.Log.Lines.TakeLast(30)));
        }
        rig.Bridge.Exposure.PedalReleased();
        rig.Events.WaitFor(e => e.OfType<ExposureEndedEvent>().Any(), "exposure end");
        AssertRateLimit(rig, 88);
        Assert.True(abc.TechniquesSent > 10, $"{abc.TechniquesSent} techniques sent, {abc.SendFailures} failed");
    }

    /// <summary>Air kerma rate of every fluoro pulse the generator reported (kerma × pulse rate), against the limit.</summary>
    private static double[] AssertRateLimit(SimRig rig, double limit)
    {
        var pulses = rig.Events.OfType<PulseEvent>();
        Assert.NotEmpty(pulses);
        double rate = rig.Events.OfType<ExposureStartedEvent>()[0].Setting.PulseRate;
        var rates = pulses.Select(p => p.AirKermaMilliGray * rate * 60).ToArray();
        for (int i = 0; i < rates.Length; i++)
        {
            Assert.True(rates[i] <= limit, $"pulse {pulses[i].PulseId}: {rates[i]:0.0} mGy/min at {pulses[i].Technique}");
        }
        Assert.Equal(pulses.Count, rig.Bridge.Dose.Exam.Pulses);
        return rates;
    }
}
