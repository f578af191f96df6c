using CathLab.Dicom.Data;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Services.Find;

/// <summary>The matches a C-FIND returned (one per pending response) and the final status.</summary>
public sealed record FindResult(IReadOnlyList<DicomDataSet> Matches, DimseStatus FinalStatus);
