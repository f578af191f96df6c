using CathLab.Dicom.Data;

namespace CathLab.Workflow.Worklist;

/// <summary>A match the station could not use, kept whole with the reason so nothing the RIS sent is lost.</summary>
public sealed record MalformedWorklistItem(string Reason, DicomDataSet Raw);

/// <summary>What a worklist query returned: the usable items and the malformed ones.</summary>
public sealed record WorklistResult(IReadOnlyList<WorklistItem> Items, IReadOnlyList<MalformedWorklistItem> Malformed);
