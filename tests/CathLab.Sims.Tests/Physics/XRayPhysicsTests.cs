using CathLab.Sims.Phantom;
using CathLab.Sims.Physics;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Tests.Physics;

public class XRayPhysicsTests
{
    private readonly XRayPhysics _physics = new();

    private static double MilligrayPerMinute(double microGrayPerPulse, double pulsesPerSecond) => microGrayPerPulse * pulsesPerSecond * 60 / 1000;

    [Fact]
    public void Typical_fluoro_for_a_20_cm_patient_is_well_below_the_88_mGy_per_minute_limit()
    {
        double rate = MilligrayPerMinute(_physics.AirKermaMicroGray(new Technique(75, 10, 6)), 15);
        Assert.InRange(rate, 2, 30);
    }

    [Fact]
    public void High_mA_fluoro_for_a_35_cm_patient_can_exceed_the_limit()
    {
        double rate = MilligrayPerMinute(_physics.AirKermaMicroGray(new Technique(110, 60, 10)), 15);
        Assert.True(rate > 88, $"{rate:0.0} mGy/min");
    }

    [Fact]
    public void Same_detector_signal_through_35_cm_costs_several_times_the_reference_air_kerma_of_20_cm()
    {
        // Keep the mean detector signal fixed (what the auto-dose loop does) and compare the kerma at the reference point.
        var thin = new Technique(75, 10, 6);
        double target = _physics.MeanSignalLsb(thin, 20) - _physics.MeanOffsetLsb;
        var thickUnit = new Technique(100, 1, 6);
        double perMa = _physics.MeanSignalLsb(thickUnit, 35) - _physics.MeanOffsetLsb;
        var thick = thickUnit with { Ma = target / perMa };
        Assert.InRange(_physics.AirKermaMicroGray(thick) / _physics.AirKermaMicroGray(thin), 3, 20);
    }

    [Fact]
    public void Reference_point_kerma_follows_the_inverse_square_law_from_one_metre()
    {
        var technique = new Technique(80, 100, 10);
        double atOneMetre = _physics.AirKermaAtOneMetreMicroGray(technique);
        Assert.InRange(atOneMetre / technique.MilliampereSeconds, 45, 55);
        Assert.Equal(atOneMetre / (0.6 * 0.6), _physics.AirKermaMicroGray(technique), 6);
    }

    [Fact]
    public void Attenuation_falls_with_kV_and_iodine_contrast_falls_faster()
    {
        Assert.Equal(0.20, _physics.WaterMuPerCm(70), 6);
        Assert.True(_physics.WaterMuPerCm(60) > _physics.WaterMuPerCm(90));
        double waterRatio = _physics.WaterMuPerCm(60) / _physics.WaterMuPerCm(100);
        double iodineRatio = _physics.IodineMuPerCm(60) / _physics.IodineMuPerCm(100);
        Assert.True(iodineRatio > waterRatio);
        Assert.InRange(Math.Exp(-_physics.LeadMuPerCm(70) * 0.1), 1e-4, 1e-2);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(12)]
    [InlineData(16)]
    public void Signal_is_clipped_to_the_bits_stored(int bits)
    {
        var physics = new XRayPhysics(bitsStored: bits);
        Assert.Equal((1 << bits) - 1, physics.FullScale);
        Assert.Equal(physics.FullScale, physics.MeanSignalLsb(new Technique(125, 800, 100), 15));
        Assert.Throws<ArgumentOutOfRangeException>(() => new XRayPhysics(bitsStored: 17));
    }

    [Fact]
    public void Bolus_is_zero_before_arrival_one_at_the_peak_and_washes_out()
    {
        var bolus = new ContrastBolus(arrivalSeconds: 1, timeToPeakSeconds: 1.5, shape: 3);
        Assert.Equal(0, bolus.ConcentrationAt(5_000_000));
        bolus.Inject(1_000_000);
        Assert.Equal(0, bolus.ConcentrationAt(1_900_000));
        Assert.Equal(1, bolus.ConcentrationAt(3_500_000), 6);
        Assert.InRange(bolus.ConcentrationAt(2_500_000), 0.05, 0.95);
        Assert.True(bolus.ConcentrationAt(6_000_000) < bolus.ConcentrationAt(4_500_000));
        Assert.True(bolus.ConcentrationAt(20_000_000) < 0.01);
        bolus.Clear();
        Assert.False(bolus.Injected);
    }

    [Fact]
    public void Cardiac_and_respiratory_motion_shift_the_field_and_the_table_pans_it()
    {
        var world = new PhantomWorld(new PhantomOptions { HeartRateBpm = 60, CardiacAmplitudePixels = 12, RespiratoryAmplitudePixels = 10 }, 0.2);
        var origins = Enumerable.Range(0, 20).Select(i => world.Origins(i * 100_000)).ToList();
        Assert.True(origins.Select(o => o.VesselX).Distinct().Count() > 3);
        Assert.True(origins.Select(o => o.AnatomyY).Distinct().Count() > 3);
        var still = world.Origins(0);
        world.PanTable(30, -20);
        var panned = world.Origins(0);
        Assert.Equal(still.AnatomyX - 30, panned.AnatomyX);
        Assert.Equal(still.AnatomyY + 20, panned.AnatomyY);
    }

    [Fact]
    public void Both_vessel_presets_put_vessels_in_the_field()
    {
        foreach (var preset in new[] { PhantomPreset.Coronary, PhantomPreset.Peripheral })
        {
            var map = VesselTreeBuilder.Build(preset, PhantomWorld.WorldSide, 0.2, seed: 3);
            int vesselPixels = map.Chords.Count(c => c > 0);
            Assert.InRange(vesselPixels, 10_000, map.Chords.Length / 4);
        }
        Assert.DoesNotContain(VesselTreeBuilder.Build(PhantomPreset.WaterSlab, 64, 0.2, 1).Chords, c => c > 0);
    }
}
