using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Iods.PresentationState;

namespace CathLab.Dicom.Iods.Tests;

public sealed class PixelCalibrationTests
{
    private static DicomDataSet Header(string? spacing = null, string? magnification = null, string? sid = null, string? sod = null)
    {
        var ds = new DicomDataSet();
        if (spacing is not null) ds.SetString(DicomTags.ImagerPixelSpacing, DicomVR.DS, spacing.Split('\\'));
        if (magnification is not null) ds.SetString(DicomTags.EstimatedRadiographicMagnificationFactor, DicomVR.DS, magnification);
        if (sid is not null) ds.SetString(DicomTags.DistanceSourceToDetector, DicomVR.DS, sid);
        if (sod is not null) ds.SetString(DicomTags.DistanceSourceToPatient, DicomVR.DS, sod);
        return ds;
    }

    [Fact]
    public void Spacing_alone_measures_at_the_detector_plane()
    {
        var c = PixelCalibration.From(Header("0.2\\0.2"));
        Assert.Equal(100, c.Length((0, 0), (300, 400)), 9);
        Assert.Equal("100.0 mm (at detector plane)", c.Label((0, 0), (300, 400)));
    }

    [Fact]
    public void Row_spacing_scales_vertical_and_column_spacing_horizontal_distances()
    {
        var c = PixelCalibration.From(Header("0.5\\0.1"));
        Assert.Equal(10, c.Length((0, 0), (100, 0)), 9);
        Assert.Equal(50, c.Length((0, 0), (0, 100)), 9);
    }

    [Fact]
    public void Magnification_factor_corrects_to_the_isocentre_and_says_it_is_approximate()
    {
        var c = PixelCalibration.From(Header("0.3\\0.3", magnification: "1.5"));
        Assert.Equal(20, c.Length((0, 0), (100, 0)), 9);
        Assert.Equal("20.0 mm (calibrated, approximate)", c.Label((0, 0), (100, 0)));
    }

    [Fact]
    public void Distances_give_the_magnification_where_the_factor_is_missing()
    {
        var c = PixelCalibration.From(Header("0.3\\0.3", sid: "1200", sod: "800"));
        Assert.Equal(1.5, c.Magnification!.Value, 9);
    }

    [Fact]
    public void Without_spacing_a_length_is_in_pixels_and_says_so()
    {
        var c = PixelCalibration.From(Header(magnification: "1.5"));
        Assert.False(c.Calibrated);
        Assert.Equal("5.0 px (uncalibrated)", c.Label((0, 0), (3, 4)));
    }
}
