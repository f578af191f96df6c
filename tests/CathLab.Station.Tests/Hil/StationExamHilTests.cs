using CathLab.Station.Control;
using CathLab.Testing;

namespace CathLab.Station.Tests.Hil;

/// <summary>cathlab-sim (serial pty and frame link) → station → embedded archive, driven as a technician would.</summary>
[Collection(HilCollection.Name)]
public sealed class StationExamHilTests
{
    private static readonly TimeSpan Fluoro = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan Cine = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan Dsa = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_scripted_exam_yields_one_checked_XA_object_per_recorded_run_in_the_archive()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StationUnderTest.StartAsync(sim);
        var control = station.Control;

        var exam = await control.StartExamAsync(new ExamRequest("DOE^JANE", "HIL-0001", "ACC-HIL-1", "Coronary angiography"), CancellationToken.None);
        var runs = new List<RunView>
        {
            await station.ExposeAsync("cardiac-fluoro-15", Fluoro),
            await station.ExposeAsync("cardiac-cine-15", Cine),
            await station.ExposeAsync("cardiac-fluoro-7.5", Fluoro),
            await station.ExposeAsync("cardiac-cine-30", Cine),
            await station.ExposeAsync("cardiac-cine-15", Cine),
            await station.ExposeAsync("peripheral-dsa-3", Dsa),
        };
        await control.EndExamAsync(new ExamEnd(), CancellationToken.None);

        Assert.All(runs, r => Assert.True(r.State == RunState.Complete, $"run {r.Number} ({r.Protocol}): {r.Failure}"));
        var recorded = runs.Where(r => r.Kind != "Fluoro").ToList();
        Assert.Equal(4, recorded.Count);
        Assert.All(recorded, r => Assert.NotNull(r.ObjectPath));
        Assert.All(runs.Where(r => r.Kind == "Fluoro"), r => Assert.Null(r.ObjectPath));

        var archived = await WaitForArchiveAsync(station, recorded.Count);
        foreach (var run in recorded)
        {
            string sop = Path.GetFileNameWithoutExtension(run.ObjectPath!);
            string file = archived.Single(f => Path.GetFileNameWithoutExtension(f) == sop);
            var (errors, _) = ExternalTool.Dciodvfy(file);
            Assert.True(errors.Length == 0, $"{run.Protocol}: {string.Join("\n", errors)}");
            var check = ExternalTool.PythonScript("""
                import sys, pydicom
                ds = pydicom.dcmread(sys.argv[1])
                kv = ds.get('KVP', '')
                print(ds.SOPClassUID, int(ds.NumberOfFrames), ds.PatientID, ds.AccessionNumber, ds.StudyInstanceUID, len(ds.get('FrameTimeVector', [])), kv,
                      'MASK' if 'MaskSubtractionSequence' in ds else 'NOMASK')
                """, file);
            Assert.True(check.ExitCode == 0, check.All);
            var fields = check.StdOut.Trim().Split(' ');
            Assert.Equal("1.2.840.10008.5.1.4.1.1.12.1", fields[0]);
            Assert.Equal(run.Frames, int.Parse(fields[1]));
            Assert.Equal(run.Pulses, run.Frames);
            Assert.Equal("HIL-0001", fields[2]);
            Assert.Equal("ACC-HIL-1", fields[3]);
            Assert.Equal(exam.StudyInstanceUid, fields[4]);
            Assert.Equal(run.Kind == "Dsa" ? "MASK" : "NOMASK", fields[7]);
        }
    }

    [Fact]
    public async Task Saved_fluoro_and_a_remasked_DSA_run_become_objects_of_their_own_and_bad_requests_are_refused()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StationUnderTest.StartAsync(sim);
        var control = station.Control;
        await Assert.ThrowsAsync<StationRefusedException>(() => control.PedalDownAsync("cardiac-fluoro-15", CancellationToken.None));
        await control.StartExamAsync(new ExamRequest("", ""), CancellationToken.None);
        Assert.True(control.Status.Exam!.Emergency);
        await Assert.ThrowsAsync<StationRefusedException>(() => control.SaveLastFluoroAsync(1, CancellationToken.None));

        var fluoro = await station.ExposeAsync("cardiac-fluoro-15", Fluoro);
        var saved = await control.SaveLastFluoroAsync(1.0, CancellationToken.None);
        Assert.Equal(RunState.Complete, saved.State);
        Assert.InRange(saved.Frames, 1, fluoro.Frames);
        await Assert.ThrowsAsync<StationRefusedException>(() => control.SaveLastFluoroAsync(600, CancellationToken.None));

        Assert.Throws<StationRefusedException>(() => control.SelectProtocol("cardiac-cine-15", "R")); // the heart is not paired
        control.SelectProtocol("peripheral-dsa-3", "R");
        await control.PedalDownAsync(null, CancellationToken.None);
        await Task.Delay(Dsa);
        var dsa = await control.PedalUpAsync(CancellationToken.None);
        Assert.True(dsa.State == RunState.Complete, dsa.Failure);
        using (var reader = CathLab.Dicom.Files.DicomFileReader.Open(dsa.ObjectPath!))
            Assert.Equal("R", reader.DataSet.GetString(CathLab.Dicom.Dictionary.DicomTags.Laterality));
        await Assert.ThrowsAsync<StationRefusedException>(() => control.RemaskAsync(dsa.Number, [dsa.Frames + 5], CancellationToken.None));
        await Assert.ThrowsAsync<StationRefusedException>(() => control.RemaskAsync(saved.Number, [1], CancellationToken.None));
        var remasked = await control.RemaskAsync(dsa.Number, [2, 3], CancellationToken.None);
        Assert.NotEqual(dsa.ObjectPath, remasked.ObjectPath);
        await control.EndExamAsync(new ExamEnd(), CancellationToken.None);

        var archived = await WaitForArchiveAsync(station, 3);
        var check = ExternalTool.PythonScript("""
            import sys, pydicom
            for path in sys.argv[1:]:
                ds = pydicom.dcmread(path)
                if ds.Modality != 'XA': continue
                mask = ds.MaskSubtractionSequence[0].MaskFrameNumbers if 'MaskSubtractionSequence' in ds else []
                print(ds.SOPInstanceUID, ds.RadiationSetting, int(ds.NumberOfFrames), ds.PatientID, list(mask) if not isinstance(mask, int) else [mask])
            """, archived);
        Assert.True(check.ExitCode == 0, check.All);
        var lines = check.StdOut.Trim().Split('\n');
        Assert.Contains(lines, l => l.Contains(" SC ", StringComparison.Ordinal) && l.Contains($" {saved.Frames} ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith("[2, 3]", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Contains(" EMERG-", l));
        foreach (var file in archived)
        {
            var (errors, _) = ExternalTool.Dciodvfy(file);
            Assert.True(errors.Length == 0, string.Join("\n", errors));
        }
    }

    private static async Task<string[]> WaitForArchiveAsync(StationUnderTest station, int atLeast)
    {
        string[] files = [];
        for (int i = 0; i < 600; i++)
        {
            files = Directory.Exists(station.ArchiveFolder) ? Directory.GetFiles(station.ArchiveFolder, "*.dcm") : [];
            if (files.Length >= atLeast) return files;
            await Task.Delay(100);
        }
        Assert.Fail($"the archive holds {files.Length} object(s), {atLeast} expected");
        return files;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HilCollection
{
    public const string Name = "station hardware in the loop";
}
