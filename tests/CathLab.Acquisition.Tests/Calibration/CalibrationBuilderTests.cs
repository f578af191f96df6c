using CathLab.Acquisition.Calibration;
using CathLab.Processing.Frames;

namespace CathLab.Acquisition.Tests.Calibration;

public sealed class CalibrationBuilderTests
{
    private const int Side = 128;
    private static readonly FrameGeometry Geometry = new(Side, Side, 14);

    [Fact]
    public void The_maps_find_the_hot_pixel_the_dead_column_and_the_weak_row_and_flatten_a_fresh_flood()
    {
        var detector = new SyntheticDetector(Side);
        var built = Build(detector);

        Assert.Equal([detector.WeakRow], built.DefectRows);
        Assert.Equal([detector.DeadColumn], built.DefectColumns);
        Assert.True(built.Data.Defects.IsDefective(detector.HotX, detector.HotY));
        Assert.Equal(2 * Side - 1 + 1, built.DefectPixels);

        var fresh = detector.Flood();
        var corrected = new ushort[fresh.Length];
        built.Data.Correct(fresh, corrected);
        var before = FloodUniformity.Measure(fresh, Side, 100);
        var after = FloodUniformity.Measure(corrected, Side);
        Assert.True(before.RmsPercent > 2, $"before {before}");
        Assert.True(after.RmsPercent < 0.5, $"after {after}");
    }

    [Fact]
    public void A_flood_no_brighter_than_the_dark_frames_is_refused()
    {
        var detector = new SyntheticDetector(Side);
        var dark = Statistics(detector.Dark(), detector.Dark());
        var builder = new CalibrationBuilder(Geometry, new DefectCriteria());
        Assert.Throws<CalibrationRefusedException>(() => builder.Build(dark, Statistics(detector.Dark())));
    }

    [Fact]
    public void A_tighter_response_tolerance_marks_more_pixels()
    {
        var detector = new SyntheticDetector(Side);
        var loose = Build(detector);
        var tight = Build(detector, new DefectCriteria { ResponseTolerance = 0.04 });
        Assert.True(tight.DefectPixels > loose.DefectPixels, $"{tight.DefectPixels} vs {loose.DefectPixels}");
    }

    internal static BuiltCalibration Build(SyntheticDetector detector, DefectCriteria? criteria = null)
    {
        var dark = Statistics(detector.Dark(), detector.Dark(), detector.Dark(), detector.Dark());
        var flood = Statistics(detector.Flood(), detector.Flood(), detector.Flood(), detector.Flood());
        return new CalibrationBuilder(Geometry, criteria ?? new DefectCriteria()).Build(dark, flood);
    }

    private static PixelStatistics Statistics(params ushort[][] frames)
    {
        var statistics = new PixelStatistics(Side * Side);
        foreach (var frame in frames) statistics.Add(frame);
        return statistics;
    }
}
