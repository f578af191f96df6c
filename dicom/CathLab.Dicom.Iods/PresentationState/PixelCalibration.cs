using System.Globalization;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;

namespace CathLab.Dicom.Iods.PresentationState;

/// <summary>
/// How a length between two image pixels becomes millimetres for a projection X-ray image. Imager Pixel Spacing
/// (0018,1164) is measured at the detector's front plane (PS3.3 C.8.7.2 / C.8.11.4), so lengths of the patient's
/// anatomy come out enlarged by the beam's divergence; dividing by the Estimated Radiographic Magnification Factor
/// (0018,1114), or by source-to-detector over source-to-patient distance, corrects to the isocentre plane, which is
/// only approximately where the measured structure lies.
/// </summary>
public sealed record PixelCalibration(double? RowSpacingMm, double? ColumnSpacingMm, double? Magnification)
{
    public static readonly PixelCalibration None = new(null, null, null);

    public static PixelCalibration From(DicomDataSet image)
    {
        if (image.TryGetValueCount(DicomTags.ImagerPixelSpacing) != 2) return None;
        double row = image.GetDouble(DicomTags.ImagerPixelSpacing, 0), column = image.GetDouble(DicomTags.ImagerPixelSpacing, 1);
        if (!(row > 0 && column > 0)) return None;
        double? magnification = image.TryGetValueCount(DicomTags.EstimatedRadiographicMagnificationFactor) == 1
            ? image.GetDouble(DicomTags.EstimatedRadiographicMagnificationFactor)
            : image.TryGetValueCount(DicomTags.DistanceSourceToDetector) == 1 && image.TryGetValueCount(DicomTags.DistanceSourceToPatient) == 1 && image.GetDouble(DicomTags.DistanceSourceToPatient) > 0
                ? image.GetDouble(DicomTags.DistanceSourceToDetector) / image.GetDouble(DicomTags.DistanceSourceToPatient)
                : null;
        return new PixelCalibration(row, column, magnification is >= 1 ? magnification : null);
    }

    public bool Calibrated => RowSpacingMm is not null;

    /// <summary>The length between two points given as (column, row) in pixels: millimetres, corrected for
    /// magnification where it is known; pixels when the image has no spacing.</summary>
    public double Length((double X, double Y) a, (double X, double Y) b)
    {
        double dx = b.X - a.X, dy = b.Y - a.Y;
        if (RowSpacingMm is not { } rows || ColumnSpacingMm is not { } columns) return Math.Sqrt(dx * dx + dy * dy);
        double mm = Math.Sqrt(dx * columns * dx * columns + dy * rows * dy * rows);
        return Magnification is { } m ? mm / m : mm;
    }

    /// <summary>The length as a label that says how it was measured.</summary>
    public string Label((double X, double Y) a, (double X, double Y) b)
    {
        string value = Length(a, b).ToString("0.0", CultureInfo.InvariantCulture);
        if (!Calibrated) return $"{value} px (uncalibrated)";
        return Magnification is null ? $"{value} mm (at detector plane)" : $"{value} mm (calibrated, approximate)";
    }
}
