using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Testing;
using CathLab.Workflow.Patients;
using CathLab.Workflow.ProcedureStep;
using CathLab.Workflow.Worklist;

namespace CathLab.Acquisition.Tests.Recording;

/// <summary>An emergency exam's generated patient asks for reconciliation in every image too, not only in the MPPS.</summary>
public sealed class EmergencyRecordingTests : IDisposable
{
    private readonly TempDirectory _spool = new();

    public void Dispose() => _spool.Dispose();

    [Fact]
    public async Task A_run_of_an_emergency_patient_carries_the_reconciliation_note_in_Patient_Comments()
    {
        await using var h = new RecorderHarness(_spool.Path);
        var sample = RecordingSamples.Request(RecordingSamples.Cine);
        var patient = EmergencyPatient.At(new DateTime(2026, 11, 24, 9, 30, 0));
        var request = sample with { Exam = sample.Exam with { Patient = patient } };
        h.Recorder.Begin(request);
        for (uint id = 1; id <= 3; id++) h.Pulse(id);
        var outcome = await h.Recorder.EndAsync(RecorderHarness.Result(request.Protocol, 3));
        Assert.True(outcome.Stored, outcome.Failure);

        using var reader = DicomFileReader.Open(outcome.Run!.Image.Path);
        Assert.Equal(EmergencyPatient.ReconciliationNote, reader.DataSet.GetString(DicomTags.PatientComments));
        Assert.Equal(patient.Id, reader.DataSet.GetString(DicomTags.PatientID));
        Assert.Empty(ExternalTool.Dciodvfy(outcome.Run.Image.Path).Errors);
    }
}
