using System.Globalization;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Iods.Rdsr;
using CathLab.Dicom.Network.Services.Mpps;
using CathLab.Dicom.Uids;
using CathLab.FirmwareBridge.Dose;

namespace CathLab.Workflow.ProcedureStep;

public enum ProcedureStepState
{
    NotStarted,
    InProgress,
    Completed,
    Discontinued,
}

/// <summary>
/// Reports one exam's Modality Performed Procedure Step to the RIS: N-CREATE "IN PROGRESS" at the first exposure
/// (once, however often it is asked), then one N-SET "COMPLETED" or "DISCONTINUED" at the end. A failed exchange leaves
/// the state as it was, so the caller may try again.
/// </summary>
public sealed class ProcedureStepReporter(MppsScu scu, PerformingStation station, PatientInfo patient, StudyInfo study)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public ProcedureStepState State { get; private set; } = ProcedureStepState.NotStarted;

    /// <summary>The MPPS SOP Instance UID, chosen by the station at N-CREATE.</summary>
    public string? SopInstanceUid { get; private set; }

    public string? PerformedProcedureStepId { get; private set; }

    public async Task StartAsync(DateTime firstExposureAt, CodedConcept? protocol = null, CancellationToken cancellation = default)
    {
        await _gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (State != ProcedureStepState.NotStarted) return;
            var uid = SopInstanceUid ?? DicomUidGenerator.NewUid();
            var ppsId = PerformedProcedureStepId ?? "PPS" + firstExposureAt.ToString("yyMMddHHmmss", CultureInfo.InvariantCulture);
            SopInstanceUid = uid;
            PerformedProcedureStepId = ppsId;
            var start = new ProcedureStepStart(patient, study, ppsId, firstExposureAt) { Protocol = protocol };
            await scu.CreateAsync(uid, MppsAttributes.InProgress(start, station), cancellation).ConfigureAwait(false);
            State = ProcedureStepState.InProgress;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task CompleteAsync(DateTime endedAt, IReadOnlyList<PerformedSeries> series, DoseTotals dose, CancellationToken cancellation = default) =>
        FinishAsync(MppsStatus.Completed, endedAt, series, dose, null, cancellation);

    /// <summary>Discontinues the step with <paramref name="reason"/> (CID 9300) and, when given, the technician's own words
    /// in Comments on the Performed Procedure Step.</summary>
    public Task DiscontinueAsync(DateTime endedAt, CodedConcept reason, IReadOnlyList<PerformedSeries> series, DoseTotals dose, CancellationToken cancellation = default,
        string? comments = null) =>
        FinishAsync(MppsStatus.Discontinued, endedAt, series, dose, reason, cancellation, comments);

    private async Task FinishAsync(string status, DateTime endedAt, IReadOnlyList<PerformedSeries> series, DoseTotals dose, CodedConcept? reason, CancellationToken cancellation,
        string? comments = null)
    {
        var modifications = MppsAttributes.Final(status, endedAt, series, dose, reason, comments);
        await _gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (State != ProcedureStepState.InProgress)
                throw new InvalidOperationException(State == ProcedureStepState.NotStarted
                    ? "the procedure step was never started (no exposure): there is nothing to report"
                    : $"the procedure step is {State} already");
            await scu.SetAsync(SopInstanceUid!, modifications, cancellation).ConfigureAwait(false);
            State = status == MppsStatus.Completed ? ProcedureStepState.Completed : ProcedureStepState.Discontinued;
        }
        finally
        {
            _gate.Release();
        }
    }
}
