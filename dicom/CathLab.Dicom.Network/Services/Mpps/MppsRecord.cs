using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;

namespace CathLab.Dicom.Network.Services.Mpps;

/// <summary>A performed procedure step as the MPPS SCP holds it: the merged attributes and every operation that changed them.</summary>
public sealed record MppsRecord(string SopInstanceUid, DicomDataSet Attributes, IReadOnlyList<string> History)
{
    public string? Status => Attributes.GetStringOrDefault(DicomTags.PerformedProcedureStepStatus);
}
