namespace CathLab.LiveFeed.Review;

/// <summary>The runs an exam has recorded so far, as the station knows them. The live feed reads each run's frames from
/// its object (<see cref="RecordedRunEntry.ObjectPath"/>); the station implements this over its open exam.</summary>
public interface IRecordedRunCatalog
{
    /// <summary>The exam's recorded runs in order (runs being recorded included); empty for an exam not known.</summary>
    IReadOnlyList<RecordedRunEntry> RunsOf(string examId);
}

/// <summary>One recorded run. <see cref="ObjectPath"/> is the object's final name; while <see cref="Recording"/>, the
/// recorder's partial file beside it is read. Dose values are null when not known yet.</summary>
public sealed record RecordedRunEntry(
    string RunId,
    int Number,
    string Protocol,
    string Kind,
    string ObjectPath,
    double FrameRate,
    DateTimeOffset StartedAt,
    bool Dsa,
    bool Recording = false,
    double? ReferenceAirKermaMilliGray = null,
    double? DoseAreaProductGyCm2 = null);

/// <summary>A host without recorded runs (the live feed on its own).</summary>
public sealed class NoRecordedRuns : IRecordedRunCatalog
{
    public IReadOnlyList<RecordedRunEntry> RunsOf(string examId) => [];
}
