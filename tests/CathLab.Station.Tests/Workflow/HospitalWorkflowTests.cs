using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Network.Services.Mpps;
using CathLab.Publishing.Journal;
using CathLab.Station.Control;
using CathLab.Station.Tests.Hil;
using CathLab.Testing;

namespace CathLab.Station.Tests.Workflow;

/// <summary>The hospital workflow end to end, every peer real: cathlab-sim → station → Orthanc (worklist and PACS with
/// storage commitment) and the MPPS receiver. The scheduled step is picked from the worklist, the exam performed with
/// the pedal, and what arrives at the PACS is checked by Orthanc's REST API, dciodvfy and pydicom.</summary>
[Collection(HilCollection.Name)]
public sealed class HospitalWorkflowTests
{
    private const int Objects = ScriptedExam.RecordedRuns + 1; // the XA runs and the exam's dose report

    [Fact]
    public async Task A_worklist_exam_arrives_in_the_PACS_checked_committed_and_reported_by_MPPS()
    {
        await using var hospital = await Hospital.StartAsync("E2E");
        var control = hospital.Control;
        var scheduled = hospital.Scheduled;

        var entry = Assert.Single(await control.QueryWorklistAsync(new WorklistQuery(), CancellationToken.None));
        Assert.Equal((scheduled.PatientId, scheduled.AccessionNumber, scheduled.StudyInstanceUid), (entry.PatientId, entry.AccessionNumber, entry.StudyInstanceUid));
        var exam = await control.StartExamAsync(new ExamRequest("", "", WorklistItemId: entry.Id), CancellationToken.None);
        Assert.Equal(scheduled.StudyInstanceUid, exam.StudyInstanceUid);
        Assert.False(exam.Emergency);

        var runs = await ScriptedExam.PerformAsync(hospital.Station);
        var inProgress = Assert.Single(hospital.Mpps.Records.Values);
        Assert.Equal(MppsStatus.InProgress, inProgress.Status);
        double stationDose = control.Status.ReferenceAirKermaMilliGray;
        await control.EndExamAsync(new ExamEnd(), CancellationToken.None);

        await PublishedObjects.CommittedAsync(hospital, Objects);
        var stored = await PublishedObjects.AgreeAsync(hospital, Objects);

        // One study, the worklist's, with one series per recorded run and one for the dose report.
        var study = Assert.Single(await hospital.Orthanc.StudyIdsAsync());
        var studyJson = await hospital.Orthanc.GetJsonAsync($"studies/{study}");
        Assert.Equal(scheduled.StudyInstanceUid, studyJson.GetProperty("MainDicomTags").GetProperty("StudyInstanceUID").GetString());
        Assert.Equal(scheduled.AccessionNumber, studyJson.GetProperty("MainDicomTags").GetProperty("AccessionNumber").GetString());
        Assert.Equal(scheduled.PatientId, studyJson.GetProperty("PatientMainDicomTags").GetProperty("PatientID").GetString());
        Assert.Equal(Objects, studyJson.GetProperty("Series").GetArrayLength());
        Assert.Equal(ScriptedExam.RecordedRuns, stored.Count(s => s.Modality == "XA"));
        Assert.Single(stored, s => s.Modality == "SR");
        foreach (var run in runs.Where(r => r.ObjectPath is not null))
        {
            var xa = Assert.Single(stored, s => s.SopInstanceUid == Path.GetFileNameWithoutExtension(run.ObjectPath!));
            Assert.Equal(run.Frames, xa.Frames);
        }

        // Each object as Orthanc serves it: valid for dciodvfy, readable by pydicom; the dose report's total as the generator reported it.
        var folder = Directory.CreateTempSubdirectory("cathlab-workflow-files-").FullName;
        try
        {
            var files = new List<string>();
            foreach (var s in stored)
            {
                var file = Path.Combine(folder, s.SopInstanceUid + ".dcm");
                await hospital.Orthanc.DownloadAsync(s.OrthancId, file);
                var (errors, _) = ExternalTool.Dciodvfy(file);
                Assert.True(errors.Length == 0, $"{s.Modality} {s.SopInstanceUid}: {string.Join("\n", errors)}");
                files.Add(file);
            }
            var read = ExternalTool.PythonScript(ReadObjects, [.. files]);
            Assert.True(read.ExitCode == 0, read.All);
            var lines = read.StdOut.Trim().Split('\n').Select(l => l.Trim().Split(' ')).ToList();
            Assert.Equal(Objects, lines.Count);
            Assert.All(lines, l => Assert.Equal((scheduled.PatientId, scheduled.AccessionNumber, scheduled.StudyInstanceUid), (l[2], l[3], l[4])));
            var sr = Assert.Single(lines, l => l[0] == "SR");
            double rdsrTotal = double.Parse(sr[5], System.Globalization.CultureInfo.InvariantCulture) * (sr[6] == "Gy" ? 1000 : 1);
            double runTotal = runs.Sum(r => r.ReferenceAirKermaMilliGray);
            Assert.True(runTotal > 0, "the generator reported no dose");
            Assert.InRange(rdsrTotal, runTotal * 0.95, runTotal * 1.05);
            Assert.InRange(rdsrTotal, stationDose * 0.95, stationDose * 1.05);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        // MPPS: created IN PROGRESS at the first exposure, completed at the end with every object in its performed series.
        var mpps = Assert.Single(hospital.Mpps.Records.Values);
        Assert.Equal(inProgress.SopInstanceUid, mpps.SopInstanceUid);
        Assert.Equal("N-CREATE", mpps.History[0]);
        Assert.Equal($"N-SET {MppsStatus.Completed}", mpps.History[^1]);
        Assert.Equal(MppsStatus.Completed, mpps.Status);
        var performed = mpps.Attributes.GetSequence(DicomTags.PerformedSeriesSequence).Items;
        Assert.Equal(Objects, performed.Count);
        Assert.Equal(stored.Select(s => s.SopInstanceUid).Order(), performed.SelectMany(ReferencedInstances).Order());
        Assert.Equal(stored.Select(s => s.SeriesInstanceUid).Order(), performed.Select(p => p.GetString(DicomTags.SeriesInstanceUID)).Order());
    }

    [Fact]
    public async Task With_the_PACS_down_during_the_exam_every_object_arrives_once_after_it_returns_and_is_committed()
    {
        await using var hospital = await Hospital.StartAsync("DOWN");
        var control = hospital.Control;
        var entry = Assert.Single(await control.QueryWorklistAsync(new WorklistQuery(), CancellationToken.None));
        hospital.Orthanc.Stop();

        await control.StartExamAsync(new ExamRequest("", "", WorklistItemId: entry.Id), CancellationToken.None);
        await ScriptedExam.PerformAsync(hospital.Station);
        await control.EndExamAsync(new ExamEnd(), CancellationToken.None);

        await Poll.UntilAsync(() => control.Outbox is var items && items.Count == Objects && items.All(i => i.State == DeliveryState.Pending && i.Attempts >= 1),
            () => "every object should wait, tried once\n" + hospital.Describe());
        Assert.Equal(Objects, Directory.GetFiles(hospital.Station.SpoolFolder, "*.dcm").Length);

        hospital.Orthanc.Start();
        await PublishedObjects.CommittedAsync(hospital, Objects);
        var stored = await PublishedObjects.AgreeAsync(hospital, Objects);
        Assert.All(stored, s => Assert.Equal(hospital.Scheduled.StudyInstanceUid, s.StudyInstanceUid));
    }

    [Fact]
    public async Task With_the_PACS_stopped_in_the_middle_of_publishing_every_object_arrives_once_and_is_committed()
    {
        await using var hospital = await Hospital.StartAsync("MID");
        var control = hospital.Control;
        var entry = Assert.Single(await control.QueryWorklistAsync(new WorklistQuery(), CancellationToken.None));
        await control.StartExamAsync(new ExamRequest("", "", WorklistItemId: entry.Id), CancellationToken.None);
        await ScriptedExam.PerformAsync(hospital.Station);
        await control.EndExamAsync(new ExamEnd(), CancellationToken.None);

        // Orthanc dies (SIGKILL) as soon as the first object is stored, before everything is committed.
        await Poll.UntilAsync(() => control.Outbox.Any(i => i.State is DeliveryState.Sent or DeliveryState.Committed),
            () => "nothing was sent\n" + hospital.Describe());
        hospital.Orthanc.Stop();
        var atStop = control.Outbox;
        Assert.True(atStop.Count == Objects && atStop.Any(i => i.State != DeliveryState.Committed),
            "everything was committed before Orthanc could be stopped: this run tested nothing\n" + hospital.Describe());
        await Task.Delay(TimeSpan.FromSeconds(2)); // long enough for the outbox to meet the closed port

        hospital.Orthanc.Start();
        await PublishedObjects.CommittedAsync(hospital, Objects);
        await PublishedObjects.AgreeAsync(hospital, Objects);
    }

    private static IEnumerable<string> ReferencedInstances(DicomDataSet series)
    {
        foreach (var tag in (DicomTag[])[DicomTags.ReferencedImageSequence, DicomTags.ReferencedNonImageCompositeSOPInstanceSequence])
        {
            if (!series.TryGetSequence(tag, out var references)) continue;
            foreach (var reference in references.Items) yield return reference.GetString(DicomTags.ReferencedSOPInstanceUID);
        }
    }

    /// <summary>Per file: modality, SOP instance UID, patient ID, accession, study UID, and the number of frames (XA)
    /// or the accumulated Dose (RP) Total (DCM 113725) with its unit (SR).</summary>
    private const string ReadObjects = """
        import sys, pydicom
        def find(items, code):
            for item in items:
                name = item.get('ConceptNameCodeSequence')
                if name and name[0].CodeValue == code and 'MeasuredValueSequence' in item:
                    value = item.MeasuredValueSequence[0]
                    return value.NumericValue, value.MeasurementUnitsCodeSequence[0].CodeValue
                if 'ContentSequence' in item:
                    found = find(item.ContentSequence, code)
                    if found: return found
            return None
        for path in sys.argv[1:]:
            ds = pydicom.dcmread(path)
            head = f'{ds.Modality} {ds.SOPInstanceUID} {ds.PatientID} {ds.AccessionNumber} {ds.StudyInstanceUID}'
            if ds.Modality == 'SR':
                total, unit = find(ds.ContentSequence, '113725')
                print(f'{head} {total} {unit}')
            else:
                print(f'{head} {int(ds.NumberOfFrames)}')
        """;
}
