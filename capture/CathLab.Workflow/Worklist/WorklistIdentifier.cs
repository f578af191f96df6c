using CathLab.Dicom.Data;
using CathLab.Dicom.Network.Services.Find;
using CathLab.Workflow.Patients;

namespace CathLab.Workflow.Worklist;

/// <summary>The C-FIND identifier for a <see cref="WorklistMatch"/>: the toolkit's worklist query with the match's keys,
/// checked first, and the character set declared when a key needs one.</summary>
public static class WorklistIdentifier
{
    public static DicomDataSet For(WorklistMatch match)
    {
        match.Validate();
        return CharacterSetDeclaration.DeclareWhereNeeded(
            WorklistQuery.For(match.StationAeTitle, match.Modality, match.DateKey, match.PatientName, match.PatientId));
    }
}
