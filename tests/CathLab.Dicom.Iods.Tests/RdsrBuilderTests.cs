using CathLab.Testing;
using System.Text.Json;
using CathLab.Dicom.Iods.Rdsr;
using CathLab.Dicom.Iods.Xa;
using CathLab.Dicom.Uids;

namespace CathLab.Dicom.Iods.Tests;

public sealed class RdsrBuilderTests : IDisposable
{
    // Walks the content tree and prints "meaning|value|unit" for every NUM, CODE, UIDREF and DATETIME item, by path.
    private const string ReadTree = """
        import sys, json
        import pydicom
        ds = pydicom.dcmread(sys.argv[1])
        out = {'sop': ds.SOPClassUID, 'modality': ds.Modality, 'root': ds.ConceptNameCodeSequence[0].CodeValue,
               'template': ds.ContentTemplateSequence[0].TemplateIdentifier, 'items': [], 'events': 0,
               'evidence': [s.ReferencedSOPInstanceUID for st in ds.get('CurrentRequestedProcedureEvidenceSequence', [])
                            for se in st.ReferencedSeriesSequence for s in se.ReferencedSOPSequence]}
        def walk(items, path):
            for it in items:
                name = it.ConceptNameCodeSequence[0]
                key = path + '/' + name.CodeValue
                vt = it.ValueType
                if vt == 'NUM':
                    mv = it.MeasuredValueSequence[0]
                    out['items'].append([key, float(mv.NumericValue), mv.MeasurementUnitsCodeSequence[0].CodeValue])
                elif vt == 'CODE':
                    out['items'].append([key, it.ConceptCodeSequence[0].CodeValue, it.ConceptCodeSequence[0].CodingSchemeDesignator])
                elif vt == 'UIDREF':
                    out['items'].append([key, it.UID, ''])
                elif vt == 'DATETIME':
                    out['items'].append([key, it.DateTime, ''])
                elif vt == 'IMAGE':
                    out['items'].append([key, it.ReferencedSOPSequence[0].ReferencedSOPInstanceUID, ''])
                if name.CodeValue == '113706': out['events'] += 1
                if 'ContentSequence' in it: walk(it.ContentSequence, key)
        walk(ds.ContentSequence, '')
        print(json.dumps(out))
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static IrradiationEvent Fluoro(int i, double dap, double rp, double seconds) => new(
        IrradiationKind.Fluoroscopy, DicomUidGenerator.NewUid(), SampleExam.Start.AddMinutes(1 + i), seconds, dap, rp,
        (int)(seconds * 7.5), 7.5, 72, 12, 5, 0, 0);

    /// <summary>An exam: two fluoro presses and one recorded cine run (written for real, so the report references a stored image).</summary>
    private DoseReport Exam(out XaRunSummary run)
    {
        var exam = SampleExam.Context(DicomUidGenerator.NewUid());
        var settings = SampleExam.Run(size: 512);
        using (var writer = XaRunWriter.Create(_dir.File("run.dcm"), exam, settings))
        {
            var frame = new byte[writer.FrameLength];
            for (var i = 0; i < 6; i++) writer.WriteFrame(frame, SampleExam.Record(i));
            run = writer.Complete();
        }
        var srExam = exam with { Series = new Context.SeriesInfo(DicomUidGenerator.NewUid(), 999) { Description = "Dose report" } };
        return new DoseReport(srExam, DicomUidGenerator.NewUid(), 1, SampleExam.Start.AddMinutes(30),
        [
            Fluoro(0, 0.0012, 0.004, 40),
            IrradiationEvent.FromRun(run, 0.0025, 0.011, "LCA 15 fps", 1100),
            Fluoro(2, 0.0008, 0.003, 20.5),
        ]);
    }

    [Fact]
    public void Dose_report_is_valid_and_its_values_read_back()
    {
        var report = Exam(out var run);
        var path = _dir.File("rdsr.dcm");
        RdsrBuilder.Save(report, path);

        var (errors, warnings) = ExternalTool.Dciodvfy(path);
        Assert.True(errors.Length == 0, string.Join('\n', errors));
        Assert.True(warnings.Length == 0, string.Join('\n', warnings));

        var r = ExternalTool.PythonScript(ReadTree, path);
        Assert.True(r.ExitCode == 0, r.All);
        var json = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.Equal("1.2.840.10008.5.1.4.1.1.88.67", json.GetProperty("sop").GetString());
        Assert.Equal("SR", json.GetProperty("modality").GetString());
        Assert.Equal("113701", json.GetProperty("root").GetString());
        Assert.Equal("10001", json.GetProperty("template").GetString());
        Assert.Equal(3, json.GetProperty("events").GetInt32());
        Assert.Equal([run.SopInstanceUid], json.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()!).ToArray());

        var items = json.GetProperty("items").EnumerateArray().Select(a => (Path: a[0].GetString()!, Value: a[1], Unit: a[2].GetString()!)).ToList();
        double Num(string path, string unit)
        {
            var item = Assert.Single(items, i => i.Path == path);
            Assert.Equal(unit, item.Unit);
            return item.Value.GetDouble();
        }
        Assert.Equal(0.0045, Num("/113702/113722", "Gy.m2"), 9);
        Assert.Equal(0.018, Num("/113702/113725", "Gy"), 9);
        Assert.Equal(0.002, Num("/113702/113726", "Gy.m2"), 9);
        Assert.Equal(0.007, Num("/113702/113728", "Gy"), 9);
        Assert.Equal(60.5, Num("/113702/113730", "s"), 9);
        Assert.Equal(0.0025, Num("/113702/113727", "Gy.m2"), 9);
        Assert.Equal(0.011, Num("/113702/113729", "Gy"), 9);
        Assert.Equal(6, Num("/113702/113731", "1"));
        Assert.Contains(items, i => i.Path == "/113702/113780" && i.Value.GetString() == "113860");
        Assert.Contains(items, i => i.Path == "/121058" && i.Value.GetString() == "113704");
        Assert.Contains(items, i => i.Path == "/121058/363703001" && i.Value.GetString() == "261004008");
        Assert.Contains(items, i => i.Path == "/113705/110180" && i.Value.GetString() == report.Exam.Study.InstanceUid);

        var events = items.Where(i => i.Path.StartsWith("/113706/", StringComparison.Ordinal)).ToList();
        Assert.Equal(["44491008", "113611", "44491008"], events.Where(i => i.Path == "/113706/113721").Select(i => i.Value.GetString()!).ToArray());
        Assert.Equal(2, events.Count(i => i.Path == "/113706/113732" && i.Value.GetString() == "113631")); // fluoro mode pulsed
        Assert.Contains(events, i => i.Path == "/113706/113769" && i.Value.GetString() == run.IrradiationEventUid);
        Assert.Contains(events, i => i.Path == "/113706/113795" && i.Value.GetString() == run.SopInstanceUid);
        var kvps = events.Where(i => i.Path == "/113706/113733").ToList();
        Assert.All(kvps, k => Assert.Equal("kV", k.Unit));
        Assert.Contains(kvps, k => Math.Abs(k.Value.GetDouble() - run.MeanKvp) < 1e-4);
        Assert.Contains(events, i => i.Path == "/113706/113768" && i.Value.GetDouble() == 6);
        Assert.Contains(events, i => i.Path == "/113706/113791" && i.Unit == "{pulse}/s" && Math.Abs(i.Value.GetDouble() - 15) < 1e-3);
        Assert.Contains(events, i => i.Path == "/113706/113824" && i.Unit == "ms" && Math.Abs(i.Value.GetDouble() - 39) < 1e-9); // 6 x 6.5 ms
        Assert.Contains(events, i => i.Path == "/113706/113793" && i.Unit == "ms" && i.Value.GetDouble() == 6.5);
        Assert.Contains(events, i => i.Path == "/113706/113734" && i.Unit == "mA");
        Assert.Contains(events, i => i.Path == "/113706/112011" && i.Unit == "deg" && i.Value.GetDouble() == 30);

        var dump = ExternalTool.Run("/usr/bin/dcmdump", path);
        Assert.True(dump.ExitCode == 0, dump.All);
        Assert.Contains("X-Ray Radiation Dose Report", dump.StdOut, StringComparison.Ordinal);

        var sr = ExternalTool.Run("/usr/bin/dsrdump", path);
        Assert.True(sr.ExitCode == 0, sr.All);
        Assert.Contains("X-Ray Radiation Dose Report", sr.StdOut, StringComparison.Ordinal);
        Assert.Contains("Dose Area Product Total", sr.StdOut, StringComparison.Ordinal);
        Assert.Contains("Irradiation Event X-Ray Data", sr.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("Error", sr.All, StringComparison.Ordinal);
    }

    [Fact]
    public void A_report_without_events_or_with_bad_events_is_refused()
    {
        var report = Exam(out _);
        Assert.Throws<ArgumentException>(() => RdsrBuilder.Build(report with { Events = [] }));
        var e = report.Events[0];
        Assert.Throws<ArgumentException>(() => RdsrBuilder.Build(report with { Events = [e, e] }));
        Assert.Throws<ArgumentException>(() => RdsrBuilder.Build(report with { Events = [e with { DoseAreaProductGym2 = -1 }] }));
        Assert.Throws<ArgumentException>(() => RdsrBuilder.Build(report with { Events = [e with { DoseRpGy = double.NaN }] }));
        Assert.Throws<ArgumentException>(() => RdsrBuilder.Build(report with { Events = [e with { MeanKvp = 0 }] }));
        Assert.Throws<ArgumentException>(() => RdsrBuilder.Build(report with { Events = [e with { Uid = "" }] }));
    }

    [Fact]
    public void Equipment_identity_is_required_by_enhanced_general_equipment()
    {
        var report = Exam(out _);
        var noModel = report.Exam with { Equipment = report.Exam.Equipment with { ModelName = "" } };
        Assert.Throws<ArgumentException>(() => RdsrBuilder.Build(report with { Exam = noModel }));
        var badUid = report.Exam with { Equipment = report.Exam.Equipment with { DeviceUid = "not-a-uid" } };
        Assert.Throws<ArgumentException>(() => RdsrBuilder.Build(report with { Exam = badUid }));
    }

    [Fact]
    public void Fluoro_only_report_has_zero_acquisition_totals_and_no_evidence()
    {
        var report = Exam(out _);
        var fluoroOnly = report with { Events = [report.Events[0]], Intent = ProcedureIntent.Therapeutic };
        var path = _dir.File("fluoro.dcm");
        RdsrBuilder.Save(fluoroOnly, path);
        var (errors, _) = ExternalTool.Dciodvfy(path);
        Assert.True(errors.Length == 0, string.Join('\n', errors));
        var json = JsonDocument.Parse(ExternalTool.PythonScript(ReadTree, path).StdOut).RootElement;
        Assert.Empty(json.GetProperty("evidence").EnumerateArray());
        var items = json.GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, a => a[0].GetString() == "/113702/113727" && a[1].GetDouble() == 0);
        Assert.Contains(items, a => a[0].GetString() == "/121058/363703001" && a[1].GetString() == "262202000");
    }
}
