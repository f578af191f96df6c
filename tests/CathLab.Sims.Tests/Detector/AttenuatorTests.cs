using CathLab.Sims.Detector;
using CathLab.Sims.Phantom;
using CathLab.Wire.FrameLink;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Tests.Detector;

/// <summary>The runtime attenuator (<c>attenuator in</c>): the table clear and a uniform slab in the beam, so that the
/// only structure left in a flood is the detector's own fixed pattern, which a calibration must remove.</summary>
public sealed class AttenuatorTests
{
    [Fact]
    public async Task With_the_attenuator_in_a_flood_is_uniform_but_for_the_detectors_pattern_and_without_it_shows_the_patient()
    {
        using var sim = new RunningDetector(new SimulatedDetectorOptions
        {
            Mode = DetectorMode.Binned512,
            Phantom = new PhantomOptions { Preset = PhantomPreset.Coronary, HeartRateBpm = 0, RespiratoryAmplitudePixels = 0 },
        });
        using var client = await PhysicsOverFrameLinkTests.Subscribed(sim);
        var maps = sim.Detector.Calibration(DetectorMode.Binned512);

        sim.Detector.Attenuator = true;
        sim.Pulse(new Technique(75, 40, 6));
        var flood = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);
        sim.Detector.Attenuator = false;
        sim.Pulse(new Technique(75, 40, 6));
        var patient = await client.ReadExpectingAsync(FrameLinkMessageType.Frame);

        double floodSpread = QuantaSpreadPercent(flood.Pixels, maps);
        double patientSpread = QuantaSpreadPercent(patient.Pixels, maps);
        Assert.True(floodSpread < 3, $"the flood's quanta vary {floodSpread:0.0} % between blocks once the detector's own pattern is taken out");
        Assert.True(patientSpread > 30, $"the patient's image varies only {patientSpread:0.0} %");
    }

    /// <summary>(max − min) / mean of 32 × 32 block means of the detected quanta, (value − offset) / gain, good pixels only.</summary>
    private static double QuantaSpreadPercent(ReadOnlySpan<ushort> pixels, DetectorCalibrationMaps maps)
    {
        int side = maps.Side, block = 32, blocks = side / block;
        var means = new List<double>();
        for (int by = 0; by < blocks; by++)
        {
            for (int bx = 0; bx < blocks; bx++)
            {
                double sum = 0;
                int n = 0;
                for (int y = by * block; y < (by + 1) * block; y++)
                {
                    for (int x = bx * block; x < (bx + 1) * block; x++)
                    {
                        int i = y * side + x;
                        if (maps.GainLsbPerQuantum[i] <= 0 || y == maps.WeakRow) continue;
                        sum += (pixels[i] - maps.OffsetLsb[i]) / maps.GainLsbPerQuantum[i];
                        n++;
                    }
                }
                means.Add(sum / n);
            }
        }
        return 100 * (means.Max() - means.Min()) / means.Average();
    }
}
