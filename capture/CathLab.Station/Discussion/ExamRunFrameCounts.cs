using CathLab.Dicom.Iods.Xa;
using CathLab.Discussion;
using CathLab.LiveFeed.Review;

namespace CathLab.Station.Discussion;

/// <summary>A run's frame count for the discussion, read from the run's object the live feed's review catalog names
/// (its partial file while it is being recorded).</summary>
internal sealed class ExamRunFrameCounts(IRecordedRunCatalog catalog) : IRunFrameCounts
{
    public (int Frames, bool Final)? FramesOf(string examId, string runId)
    {
        if (catalog.RunsOf(examId).FirstOrDefault(r => r.RunId == runId) is not { } entry) return null;
        try
        {
            using var reader = XaRunReader.Open(entry.ObjectPath);
            return (reader.FrameCount, !entry.Recording);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
