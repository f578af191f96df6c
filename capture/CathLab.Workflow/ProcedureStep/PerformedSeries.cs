using CathLab.Dicom.Iods.Rdsr;
using CathLab.Dicom.Iods.Xa;

namespace CathLab.Workflow.ProcedureStep;

/// <summary>An instance the procedure step produced (an XA run, the dose SR).</summary>
public sealed record PerformedInstance(string SopClassUid, string SopInstanceUid)
{
    /// <summary>Structured reports go into the Referenced Non-Image Composite SOP Instance Sequence, images into the Referenced Image Sequence.</summary>
    public bool IsImage => !SopClassUid.StartsWith("1.2.840.10008.5.1.4.1.1.88.", StringComparison.Ordinal);
}

/// <summary>One series of the Performed Series Sequence (PS3.3 §C.4.15) with every instance stored in it.</summary>
public sealed record PerformedSeries(string SeriesInstanceUid, string Description, string ProtocolName, IReadOnlyList<PerformedInstance> Instances)
{
    /// <summary>The series of the recorded runs, in the order they were first used.</summary>
    public static IReadOnlyList<PerformedSeries> FromRuns(IEnumerable<XaRunSummary> runs, string description, string protocolName) =>
        [.. runs.GroupBy(r => r.SeriesInstanceUid)
            .Select(g => new PerformedSeries(g.Key, description, protocolName, [.. g.Select(r => new PerformedInstance(r.SopClassUid, r.SopInstanceUid))]))];

    public static PerformedSeries FromDoseReport(DoseReport report) =>
        new(report.Exam.Series.InstanceUid, report.Exam.Series.Description, "X-Ray Radiation Dose Report",
            [new PerformedInstance(RdsrBuilder.SopClassUid, report.SopInstanceUid)]);
}
