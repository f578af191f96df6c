using CathLab.Dicom.Iods.Context;

namespace CathLab.Dicom.Iods.Rdsr;

/// <summary>Why the procedure was done, as TID 10001 row 3 (CID 3629) codes it.</summary>
public enum ProcedureIntent
{
    Diagnostic,
    Therapeutic,
    DiagnosticAndTherapeutic,
}

/// <summary>
/// Everything one exam's X-Ray Radiation Dose SR says: the exam (its series is the SR's own series), the SR's
/// identity, and every irradiation event of the study in order. Totals are summed from the events.
/// </summary>
public sealed record DoseReport(ExamContext Exam, string SopInstanceUid, int InstanceNumber, DateTime CompletedAt, IReadOnlyList<IrradiationEvent> Events)
{
    public ProcedureIntent Intent { get; init; } = ProcedureIntent.Diagnostic;
}
