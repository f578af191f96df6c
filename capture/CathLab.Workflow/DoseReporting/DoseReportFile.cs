namespace CathLab.Workflow.DoseReporting;

/// <summary>An exam's radiation dose report as written into the spool, and what did not add up in it (null when the
/// runs' doses and the generator's ledger agree).</summary>
public sealed record DoseReportFile(string Path, string SopInstanceUid, string SeriesInstanceUid, string SeriesDescription, int Events, string? Discrepancy);
