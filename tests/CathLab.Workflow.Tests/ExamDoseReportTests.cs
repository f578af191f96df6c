using System.Text.Json;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Iods.Rdsr;
using CathLab.Dicom.Uids;
using CathLab.Testing;
using CathLab.Workflow.DoseReporting;
using CathLab.Workflow.Patients;
using CathLab.Workflow.ProcedureStep;
using CathLab.Workflow.Worklist;

namespace CathLab.Workflow.Tests;

/// <summary>The exam's dose SR from two recorded runs and a fluoro sequence: valid for dciodvfy, totals = sums of events = ledger, readable by pydicom.</summary>
public sealed class ExamDoseReportTests : IDisposable
{
    // Accumulated totals (TID 10002) by code and the per-event DAP / Dose (RP) / kind of every TID 10003 event.
    private const string ReadTotals = """
        import sys, json
        import pydicom
        ds = pydicom.dcmread(sys.argv[1])
        out = {'patient': str(ds.PatientID), 'accession': ds.AccessionNumber, 'study': ds.StudyInstanceUID, 'totals': {}, 'events': []}
        for it in ds.ContentSequence:
            code = it.ConceptNameCodeSequence[0].CodeValue
            if code == '113702':
                for c in it.ContentSequence:
                    if c.ValueType == 'NUM':
                        out['totals'][c.ConceptNameCodeSequence[0].CodeValue] = float(c.MeasuredValueSequence[0].NumericValue)
            if code == '113706':
                ev = {}
                for c in it.ContentSequence:
                    k = c.ConceptNameCodeSequence[0].CodeValue
                    if k in ('122130', '113738') and c.ValueType == 'NUM': ev[k] = float(c.MeasuredValueSequence[0].NumericValue)
                    if k == '113721': ev['type'] = c.ConceptCodeSequence[0].CodeValue
                out['events'].append(ev)
        print(json.dumps(out))
        """;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static ExamContext SrExam() => new(ExamSample.Patient, ExamSample.Study,
        new SeriesInfo(DicomUidGenerator.NewUid(), 999) { Description = "Dose report" }, ExamSample.Equipment);

    [Fact]
    public void Report_of_two_runs_and_a_fluoro_sequence_is_valid_and_its_totals_are_the_sums_and_the_ledgers()
    {
        var exam = new ExamSample();
        var ledger = exam.Ledger.Exam;
        var report = ExamDoseReport.Build(SrExam(), DicomUidGenerator.NewUid(), 1, ExamSample.Start.AddMinutes(40), exam.Runs, exam.FluoroSequences, ledger);
        Assert.Equal(3, report.Events.Count);
        Assert.Equal(IrradiationKind.Fluoroscopy, report.Events[0].Kind);
        Assert.Null(report.Events[0].Image);
        Assert.Equal(exam.Runs[1].Summary.SopInstanceUid, report.Events[2].Image!.SopInstanceUid);

        var path = Path.Combine(_temp.Path, "rdsr.dcm");
        ExamDoseReport.Save(report, path, "CATHLAB");

        var errors = ExternalTool.Dciodvfy(path).Errors;
        Assert.True(errors.Length == 0, string.Join('\n', errors));

        var (code, stdout, stderr) = ExternalTool.Run(ExternalTool.Python, "-c", ReadTotals, path);
        Assert.True(code == 0, stdout + stderr);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("PID-0042", json.GetProperty("patient").GetString());
        Assert.Equal("ACC-7", json.GetProperty("accession").GetString());
        Assert.Equal(report.Exam.Study.InstanceUid, json.GetProperty("study").GetString());

        var events = json.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["44491008", "113611", "113611"], events.Select(e => e.GetProperty("type").GetString()!).ToArray());
        var totals = json.GetProperty("totals");
        double Total(string c) => totals.GetProperty(c).GetDouble();
        double Sum(string c, bool? fluoro = null) => events.Where(e => fluoro is null || (e.GetProperty("type").GetString() == "44491008") == fluoro).Sum(e => e.GetProperty(c).GetDouble());

        Assert.Equal(Sum("122130"), Total("113722"), 9);
        Assert.Equal(Sum("113738"), Total("113725"), 9);
        Assert.Equal(Sum("122130", fluoro: true), Total("113726"), 9);
        Assert.Equal(Sum("113738", fluoro: true), Total("113728"), 9);
        Assert.Equal(Sum("122130", fluoro: false), Total("113727"), 9);
        Assert.Equal(Sum("113738", fluoro: false), Total("113729"), 9);
        // The ledger counts Gy·cm² and mGy; the report Gy·m² and Gy.
        Assert.Equal(ledger.DoseAreaProductGyCm2 / 10_000, Total("113722"), 9);
        Assert.Equal(ledger.ReferenceAirKermaMilliGray / 1000, Total("113725"), 9);
        Assert.Equal(20, Total("113730"), 9);
        Assert.Equal(20, Total("113731"));
    }

    [Fact]
    public void Dose_the_ledger_counted_beyond_the_events_is_reported_as_an_event_of_its_own_and_stated()
    {
        var exam = new ExamSample();
        var ledger = exam.Ledger.Exam;
        // The second run's event was never recorded (a run cut off by a lost link): the report is still made.
        var report = ExamDoseReport.Build(SrExam(), DicomUidGenerator.NewUid(), 1, ExamSample.Start.AddMinutes(40), [exam.Runs[0]], exam.FluoroSequences, ledger);
        Assert.Equal(3, report.Events.Count);
        var missing = report.Events[^1];
        Assert.Contains("not attributed", missing.AcquisitionProtocol, StringComparison.Ordinal);
        Assert.Equal(ledger.DoseAreaProductGyCm2 / 10_000, report.Events.Sum(e => e.DoseAreaProductGym2), 9);
        Assert.Equal(ledger.ReferenceAirKermaMilliGray / 1000, report.Events.Sum(e => e.DoseRpGy), 9);
        var why = ExamDoseReport.Discrepancy([exam.Runs[0]], exam.FluoroSequences, ledger);
        Assert.Contains("dose ledger counted", why, StringComparison.Ordinal);
        Assert.Null(ExamDoseReport.Discrepancy(exam.Runs, exam.FluoroSequences, ledger));

        var path = Path.Combine(_temp.Path, "rdsr-partial.dcm");
        ExamDoseReport.Save(report, path, "CATHLAB");
        var errors = ExternalTool.Dciodvfy(path).Errors;
        Assert.True(errors.Length == 0, string.Join('\n', errors));
    }

    [Fact]
    public void No_events_at_all_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ExamDoseReport.Build(SrExam(), DicomUidGenerator.NewUid(), 1, ExamSample.Start, [], []));
    }
}
