using System.Text.Json;
using CathLab.Station.Control;
using CathLab.Testing;

namespace CathLab.Station.Tests.Hil;

/// <summary>What an exam leaves behind whatever happens: its own id, and its dose report.</summary>
[Collection(HilCollection.Name)]
public sealed class StationExamRecordsHilTests
{
    [Fact]
    public async Task Exams_opened_one_right_after_another_get_unique_ids_and_health_names_none()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StationUnderTest.StartAsync(sim);
        var control = station.Control;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{station.WebPort}") };
        var ids = new List<string>();
        for (int i = 0; i < 25; i++) // well within a second or two: the old ids were the start time to the second
        {
            var exam = await control.StartExamAsync(new ExamRequest("DOE^JANE", $"HIL-ID-{i}"), CancellationToken.None);
            ids.Add(exam.ExamId);
            if (i == 0)
            {
                string health = await http.GetStringAsync("/health");
                Assert.DoesNotContain(exam.ExamId, health, StringComparison.Ordinal);
                Assert.DoesNotContain("EXAM-", health, StringComparison.Ordinal);
                using var json = JsonDocument.Parse(health);
                Assert.Equal(["status", "generatorConnected", "exposureFault"], json.RootElement.EnumerateObject().Select(p => p.Name));
            }
            await control.EndExamAsync(new ExamEnd(), CancellationToken.None);
        }
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task A_run_killed_by_a_link_loss_mid_exposure_still_leaves_a_published_dose_report_with_the_ledgers_totals()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StationUnderTest.StartAsync(sim);
        var control = station.Control;
        await control.StartExamAsync(new ExamRequest("DOE^JOHN", "HIL-0023"), CancellationToken.None);

        await control.PedalDownAsync("cardiac-cine-15", CancellationToken.None);
        for (int i = 0; i < 300 && control.Status.CurrentRun is not { State: RunState.Exposing, Pulses: > 3 }; i++) await Task.Delay(50);
        sim.Pty.Pull(); // mid-exposure: pulses delivered, more to come
        for (int i = 0; i < 300 && !(control.Status.ExposureState == "Fault" && control.Status.CurrentRun is not { State: RunState.Exposing }); i++) await Task.Delay(50);
        var closed = await control.PedalUpAsync(CancellationToken.None);
        // The run normally ends Failed; whether it does is the exposure side's business, the dose report is this test's.
        double ledgerKar = control.Status.ReferenceAirKermaMilliGray;
        Assert.True(ledgerKar > 0, "the cut-off run delivered dose");

        await control.EndExamAsync(new ExamEnd(), CancellationToken.None);
        // Published: the embedded archive (the test's PACS) receives it, beside the run's object if the run was stored.
        int expected = closed.ObjectPath is null ? 1 : 2;
        string[] archived = [];
        for (int i = 0; i < 600 && archived.Length < expected; i++)
        {
            archived = Directory.Exists(station.ArchiveFolder) ? Directory.GetFiles(station.ArchiveFolder, "*.dcm") : [];
            if (archived.Length < expected) await Task.Delay(100);
        }
        var reports = archived.Select(f => ExternalTool.PythonScript(TotalKarGy, f)).Where(r => r.ExitCode == 0).ToList();
        Assert.True(reports.Count == 1, $"archive: {archived.Length} object(s), {reports.Count} dose report(s); alert: {control.Status.LastAlert}");
        var read = reports[0];
        var fields = read.StdOut.Trim().Split(' ');
        Assert.Equal("1.2.840.10008.5.1.4.1.1.88.67", fields[0]); // X-Ray Radiation Dose SR
        Assert.Equal(ledgerKar / 1000, double.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), 6);
        var alert = control.Status.LastAlert ?? "";
        Assert.True(alert.Contains("Link", StringComparison.Ordinal) || alert.Contains("DoseReport", StringComparison.Ordinal), alert);
    }

    [Fact]
    public async Task The_status_shows_the_exposing_runs_frames_and_dose_as_they_come_and_the_last_run_after_it_ends()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StationUnderTest.StartAsync(sim);
        var control = station.Control;
        await control.StartExamAsync(new ExamRequest("DOE^JANE", "HIL-0024"), CancellationToken.None);
        Assert.Null(control.Status.CurrentRun); // no run yet in this exam

        var started = await control.PedalDownAsync("cardiac-fluoro-15", CancellationToken.None);
        RunView? exposing = null;
        for (int i = 0; i < 300; i++)
        {
            exposing = control.Status.CurrentRun;
            if (exposing is { Frames: > 3, ReferenceAirKermaMilliGray: > 0 }) break;
            await Task.Delay(50);
        }
        Assert.NotNull(exposing);
        Assert.Equal(RunState.Exposing, exposing.State);
        Assert.True(exposing.Frames > 3 && exposing.ReferenceAirKermaMilliGray > 0, $"while exposing: {exposing}");
        var ended = await control.PedalUpAsync(CancellationToken.None);

        var after = control.Status.CurrentRun;
        Assert.NotNull(after);
        Assert.Equal(started.Number, after.Number);
        Assert.Equal(ended.State, after.State);
        Assert.Equal(ended.Frames, after.Frames);
        Assert.True(after.Frames >= exposing.Frames);
    }

    [Fact]
    public async Task Cine_and_dsa_runs_deliver_more_dose_per_frame_than_fluoro()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StationUnderTest.StartAsync(sim);
        await station.Control.StartExamAsync(new ExamRequest("DOE^JANE", "HIL-0025"), CancellationToken.None);
        var fluoro = await station.ExposeAsync("cardiac-fluoro-15", TimeSpan.FromSeconds(2));
        var cine = await station.ExposeAsync("cardiac-cine-15", TimeSpan.FromSeconds(2));
        var dsa = await station.ExposeAsync("peripheral-dsa-6", TimeSpan.FromSeconds(3));
        static double PerPulse(RunView r) => r.ReferenceAirKermaMilliGray / Math.Max(1, r.Pulses);
        Assert.True(PerPulse(cine) > 2 * PerPulse(fluoro), $"cine {PerPulse(cine):0.0000} mGy/pulse, fluoro {PerPulse(fluoro):0.0000}");
        Assert.True(PerPulse(dsa) > PerPulse(cine), $"DSA {PerPulse(dsa):0.0000} mGy/pulse, cine {PerPulse(cine):0.0000}");
    }

    /// <summary>Prints the object's SOP class and the report's Dose (RP) Total (113725) in Gy.</summary>
    private const string TotalKarGy = """
        import sys, pydicom
        ds = pydicom.dcmread(sys.argv[1])
        def walk(items):
            for c in items:
                if c.ConceptNameCodeSequence[0].CodeValue == '113725' and c.ValueType == 'NUM':
                    print(ds.SOPClassUID, c.MeasuredValueSequence[0].NumericValue); sys.exit(0)
                if 'ContentSequence' in c: walk(c.ContentSequence)
        walk(ds.ContentSequence)
        sys.exit(1)
        """;
}
