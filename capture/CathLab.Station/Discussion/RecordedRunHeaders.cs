using CathLab.Dicom.Iods.PresentationState;
using CathLab.Dicom.Iods.Xa;
using CathLab.Discussion;
using CathLab.LiveFeed.Review;

namespace CathLab.Station.Discussion;

/// <summary>What the discussion reads from a run's object, which the live feed's review catalog names (its partial file
/// while it is being recorded): the frame count, and the pixel spacing and magnification lengths are measured with.</summary>
internal sealed class RecordedRunHeaders(IRecordedRunCatalog catalog) : IRunFrameCounts, IRunCalibrations
{
    public (int Frames, bool Final)? FramesOf(string examId, string runId) =>
        Read(examId, runId, (reader, entry) => ((int Frames, bool Final)?)(reader.FrameCount, !entry.Recording));

    public RunCalibration? CalibrationOf(string examId, string runId) => Read(examId, runId, (reader, _) =>
        PixelCalibration.From(reader.DataSet) is { RowSpacingMm: { } row, ColumnSpacingMm: { } column } c ? new RunCalibration(row, column, c.Magnification) : null);

    private T? Read<T>(string examId, string runId, Func<XaRunReader, RecordedRunEntry, T?> read)
    {
        if (catalog.RunsOf(examId).FirstOrDefault(r => r.RunId == runId) is not { } entry) return default;
        try
        {
            using var reader = XaRunReader.Open(entry.ObjectPath);
            return read(reader, entry);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return default;
        }
    }
}
