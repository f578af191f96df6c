extern alias console;

using CathLab.Acquisition.Calibration;
using CathLab.Acquisition.Sources;
using CathLab.FirmwareBridge;
using CathLab.Processing.Calibration;
using CathLab.Processing.Display;
using CathLab.Processing.Pipeline;
using CathLab.Station.Calibration;
using CathLab.Station.Control;
using CathLab.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using CommandTable = console::CathLab.Console.Commands.CommandTable;

namespace CathLab.Station.Tests.Hil;

/// <summary>cathlab-sim's detector, with its gain pattern, vignetting, stuck pixels, a dead column and a weak row, through
/// the station's calibration procedure: the maps must remove them from a fresh flood (CPU and OpenCL alike), from the
/// recorded objects, and refuse or abort whatever would make a bad calibration.</summary>
[Collection(HilCollection.Name)]
public sealed class StationCalibrationHilTests(ITestOutputHelper output)
{
    private const int Side = 512;

    [Theory]
    [InlineData(BackendChoice.Cpu)]
    [OpenClInlineData(BackendChoice.OpenCl)]
    public async Task The_procedure_removes_the_detectors_gain_pattern_and_defect_lines_from_a_fresh_flood(BackendChoice backend)
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StartAsync(sim);
        var calibration = station.Services.GetRequiredService<CalibrationService>();
        Assert.Contains("no detector calibration", calibration.State.Warning ?? "", StringComparison.Ordinal);
        Assert.Contains("no detector calibration", StatusWarning(station), StringComparison.Ordinal);

        sim.Command("attenuator in");
        var outcome = await calibration.CalibrateAsync(CancellationToken.None);
        var record = outcome.Record;
        output.WriteLine($"procedure: {outcome.Took.TotalSeconds:0.0} s ({outcome.DarkTook.TotalSeconds:0.0} s dark, {outcome.ExposureTook.TotalSeconds:0.0} s flood exposure); "
            + $"flood {record.FloodKv:0.0} kV {record.FloodMa:0.0} mA, {record.FloodSignalLsb:0} LSB; {record.DefectPixels} defective pixels, rows [{string.Join(",", record.DefectRows)}], columns [{string.Join(",", record.DefectColumns)}]");
        Assert.Null(calibration.State.Warning);
        Assert.True(File.Exists(Path.Combine(station.CalibrationFolder, "detector-512-14bit.clcal")));
        int weakRow = Side / 3, deadColumn = Side / 2 + Side / 5;
        Assert.Contains(weakRow, record.DefectRows);
        Assert.Contains(deadColumn, record.DefectColumns);

        // A fresh flood, exposed after the calibration, uncorrected and corrected.
        var flood = station.Services.GetRequiredService<IFloodExposure>();
        var raw = (await flood.ExposeAsync(6, 1, CancellationToken.None))[0].Pixels;
        var data = calibration.State.Data;
        // The calibration's own correction, and the same through the station's pipeline on this backend: the same values.
        var reference = new ushort[raw.Length];
        data.Correct(raw, reference);
        var corrected = CorrectThroughPipeline(data, raw, backend);
        int largest = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(corrected[i] - reference[i]));
        }
        Assert.True(largest <= 1, $"{backend} and the calibration's own correction differ by {largest} LSB");

        var before = FloodUniformity.Measure(raw, Side, data.Dark.Average());
        var after = FloodUniformity.Measure(corrected, Side);
        double rowBefore = LineContrast(raw, weakRow, row: true, data.Dark.Average()), rowAfter = LineContrast(corrected, weakRow, row: true);
        double columnBefore = LineContrast(raw, deadColumn, row: false, data.Dark.Average()), columnAfter = LineContrast(corrected, deadColumn, row: false);
        output.WriteLine($"non-uniformity before {before}, after {after}");
        output.WriteLine($"weak row {weakRow}: {rowBefore:0.00} % against its neighbours before, {rowAfter:0.00} % after; dead column {deadColumn}: {columnBefore:0.00} % before, {columnAfter:0.00} % after");
        Assert.True(before.RmsPercent > 2, $"the uncorrected flood should show the detector's pattern: {before}");
        Assert.True(after.RmsPercent <= 1.0, $"residual non-uniformity {after} above 1 %");
        Assert.True(Math.Abs(rowBefore) > 30 && Math.Abs(columnBefore) > 30, "the raw flood shows the defect lines");
        Assert.True(Math.Abs(rowAfter) < 1 && Math.Abs(columnAfter) < 1, "the corrected flood shows no defect line");
    }

    [Fact]
    public async Task A_flood_without_the_attenuator_is_refused_and_a_fault_or_a_pedal_release_mid_flood_aborts_keeping_the_calibration()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StartAsync(sim);
        var calibration = station.Services.GetRequiredService<CalibrationService>();
        var bridge = station.Services.GetRequiredService<GeneratorBridge>();
        string file = Path.Combine(station.CalibrationFolder, "detector-512-14bit.clcal");

        // The coronary phantom in the beam: far from uniform.
        var refused = await Assert.ThrowsAsync<StationRefusedException>(() => calibration.CalibrateAsync(CancellationToken.None));
        output.WriteLine($"without the attenuator: {refused.Message}");
        Assert.Contains("not uniform", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
        Assert.Null(calibration.State.Record);

        sim.Command("attenuator in");
        var first = (await calibration.CalibrateAsync(CancellationToken.None)).Record;
        byte[] stored = await File.ReadAllBytesAsync(file);

        // A generator fault during the flood exposure.
        var faulted = calibration.CalibrateAsync(CancellationToken.None);
        await WaitUntilAsync(() => bridge.Exposure.State.ToString().StartsWith("Exposing", StringComparison.Ordinal), "the flood exposure");
        sim.Command("arc");
        var aborted = await Assert.ThrowsAsync<StationRefusedException>(() => faulted);
        output.WriteLine($"fault mid-flood: {aborted.Message}");
        Assert.Contains("aborted", aborted.Message, StringComparison.Ordinal);
        Assert.Equal(first.Id, calibration.State.Record?.Id);
        Assert.Equal(stored, await File.ReadAllBytesAsync(file));
        await WaitUntilAsync(() => bridge.Exposure.State.ToString() == "Fault", "the fault to be seen");
        await station.Control.ResetFaultAsync(CancellationToken.None);

        // The pedal released (by anyone but the procedure) during the flood exposure.
        var released = calibration.CalibrateAsync(CancellationToken.None);
        await WaitUntilAsync(() => bridge.Exposure.State.ToString().StartsWith("Exposing", StringComparison.Ordinal), "the flood exposure");
        bridge.Exposure.PedalReleased();
        aborted = await Assert.ThrowsAsync<StationRefusedException>(() => released);
        output.WriteLine($"pedal released mid-flood: {aborted.Message}");
        Assert.Contains("pedal released", aborted.Message, StringComparison.Ordinal);
        Assert.Equal(first.Id, calibration.State.Record?.Id);
        Assert.Equal(stored, await File.ReadAllBytesAsync(file));
    }

    [Fact]
    public async Task A_damaged_calibration_file_is_refused_at_start_with_a_warning_and_the_station_still_acquires()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        string folder = Directory.CreateTempSubdirectory("cathlab-calibration-").FullName;
        try
        {
            await using (var station = await StartAsync(sim, $"--Station:Calibration:Folder={folder}"))
            {
                sim.Command("attenuator in");
                await station.Services.GetRequiredService<CalibrationService>().CalibrateAsync(CancellationToken.None);
            }
            string file = Path.Combine(folder, "detector-512-14bit.clcal");
            var bytes = await File.ReadAllBytesAsync(file);
            bytes[bytes.Length / 2] ^= 0x40;
            await File.WriteAllBytesAsync(file, bytes);

            sim.Command("attenuator out");
            await using var restarted = await StartAsync(sim, $"--Station:Calibration:Folder={folder}");
            var state = restarted.Services.GetRequiredService<CalibrationState>();
            output.WriteLine($"after the damage: {state.Warning}");
            Assert.Null(state.Record);
            Assert.Contains("checksum", state.Warning ?? "", StringComparison.Ordinal);
            Assert.Contains("checksum", StatusWarning(restarted), StringComparison.Ordinal);
            await restarted.Control.StartExamAsync(new ExamRequest("DOE^JOHN", "HIL-CAL-3"), CancellationToken.None);
            var run = await restarted.ExposeAsync("cardiac-cine-15", TimeSpan.FromSeconds(1));
            Assert.True(run.State == RunState.Complete, run.Failure);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_offset_is_refreshed_at_start_and_between_runs_when_idle_never_during_a_run()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StartAsync(sim, "--Station:Calibration:OffsetIdleSeconds=1", "--Station:Calibration:OffsetRefreshSeconds=1");
        var calibration = station.Services.GetRequiredService<CalibrationService>();
        await WaitUntilAsync(() => calibration.State.OffsetAt is not null, "the offset refresh at start");
        var (_, took) = calibration.LastOffsetRefresh!.Value;
        output.WriteLine($"offset refresh at start: {took.TotalMilliseconds:0} ms");

        await station.Control.StartExamAsync(new ExamRequest("DOE^JOHN", "HIL-CAL-4"), CancellationToken.None);
        await station.Control.PedalDownAsync("cardiac-fluoro-15", CancellationToken.None);
        await WaitUntilAsync(() => station.Control.Status.ExposureState.StartsWith("Exposing", StringComparison.Ordinal), "fluoro");
        var during = calibration.State.OffsetAt;
        await Assert.ThrowsAsync<StationRefusedException>(() => calibration.RefreshOffsetAsync(CancellationToken.None));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(during, calibration.State.OffsetAt);
        await station.Control.PedalUpAsync(CancellationToken.None);

        await WaitUntilAsync(() => calibration.State.OffsetAt != during, "the offset refresh between runs");
        output.WriteLine($"offset refresh between runs: {calibration.LastOffsetRefresh!.Value.Took.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Recorded_runs_are_corrected_with_the_calibration_and_name_it()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StartAsync(sim);
        var calibration = station.Services.GetRequiredService<CalibrationService>();
        sim.Command("attenuator in");
        var record = (await calibration.CalibrateAsync(CancellationToken.None)).Record;
        // The flood through the attenuator makes the defect row easy to measure against its neighbours in the object.
        await station.Control.StartExamAsync(new ExamRequest("DOE^JANE", "HIL-CAL-5"), CancellationToken.None);
        var run = await station.ExposeAsync("cardiac-cine-15", TimeSpan.FromSeconds(1));
        Assert.True(run.State == RunState.Complete, run.Failure);
        await station.Control.EndExamAsync(new ExamEnd(), CancellationToken.None);
        await WaitUntilAsync(() => Directory.Exists(station.ArchiveFolder) && Directory.GetFiles(station.ArchiveFolder, "*.dcm").Length >= 2, "the run in the archive");
        await Task.Delay(500);
        var check = ExternalTool.PythonScript($$"""
            import sys, pydicom, numpy
            for path in sys.argv[1:]:
                ds = pydicom.dcmread(path)
                if ds.Modality != "XA": continue
                frames = ds.pixel_array.astype(float)
                mean = frames.mean(axis=0)
                def contrast(line, axis):
                    take = (lambda i: mean[i, :]) if axis == 0 else (lambda i: mean[:, i])
                    return 100 * (take(line).mean() / ((take(line - 2).mean() + take(line + 2).mean()) / 2) - 1)
                print(ds.get("DateOfLastCalibration", ""), ds.get("TimeOfLastCalibration", ""), ds.get("AcquisitionDeviceProcessingDescription", "").replace(" ", "_"),
                      "%.2f" % contrast({{Side / 3}}, 0), "%.2f" % contrast({{Side / 2 + Side / 5}}, 1))
            """, Directory.GetFiles(station.ArchiveFolder, "*.dcm"));
        Assert.True(check.ExitCode == 0, check.All);
        output.WriteLine(check.StdOut);
        var fields = check.StdOut.Trim().Split(' ');
        Assert.Equal(record.CalibratedAt.LocalDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture), fields[0]);
        Assert.Contains(record.Id, fields[2], StringComparison.Ordinal);
        double row = double.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture);
        double column = double.Parse(fields[4], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(row) < 1 && Math.Abs(column) < 1, $"defect row {row} %, column {column} % against their neighbours in the recorded object");
    }

    [Fact]
    public async Task The_console_calibrates_checks_constancy_and_lists_the_history_through_the_control_API()
    {
        const string token = "calibration-console-token";
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StartAsync(sim, "--Station:Tokens:0:Holder=tech", "--Station:Tokens:0:Role=technician", $"--Station:Tokens:0:Sha256={sha}");
        async Task<(int Exit, string Out)> Cathlab(params string[] args)
        {
            var written = new StringWriter();
            var error = new StringWriter();
            int exit = await CommandTable.DispatchAsync([.. args, "--server", $"http://127.0.0.1:{station.GrpcPort}", "--token", token], written, error, CancellationToken.None);
            written.WriteLine(error.ToString());
            output.WriteLine($"$ cathlab {string.Join(' ', args)} -> {exit}\n{written}");
            return (exit, written.ToString());
        }

        var status = await Cathlab("status");
        Assert.Contains("CALIBRATION: no detector calibration", status.Out, StringComparison.Ordinal);
        var show = await Cathlab("calibrate", "--show");
        Assert.Equal(0, show.Exit);
        Assert.Contains("WARNING: no detector calibration", show.Out, StringComparison.Ordinal);
        var refused = await Cathlab("calibrate");
        Assert.Equal(3, refused.Exit);
        Assert.Contains("not uniform", refused.Out, StringComparison.Ordinal);

        sim.Command("attenuator in");
        var calibrated = await Cathlab("calibrate");
        Assert.Equal(0, calibrated.Exit);
        Assert.Contains("calibrated in", calibrated.Out, StringComparison.Ordinal);
        Assert.Contains($"rows {Side / 3}, columns {Side / 2 + Side / 5}", calibrated.Out, StringComparison.Ordinal);
        var check = await Cathlab("calibrate", "--check");
        Assert.Equal(0, check.Exit);
        Assert.Contains("PASS", check.Out, StringComparison.Ordinal);
        var history = await Cathlab("calibrate", "--history");
        Assert.Equal(2, history.Out.Split('\n').Count(l => l.Contains("PASS", StringComparison.Ordinal)));
        Assert.Contains("(calibration baseline)", history.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("CALIBRATION:", (await Cathlab("status")).Out, StringComparison.Ordinal);
        var offset = await Cathlab("calibrate", "--offset");
        Assert.Equal(0, offset.Exit);
        Assert.Contains("offset map refreshed in", offset.Out, StringComparison.Ordinal);
        Assert.Equal(2, (await Cathlab("calibrate", "--offset", "--check")).Exit);
    }

    private static Task<StationUnderTest> StartAsync(SimulatorProcess sim, params string[] extra) =>
        StationUnderTest.StartAsync(sim, ["--Station:Calibration:OffsetRefreshSeconds=0", .. extra]);

    private static string StatusWarning(StationUnderTest station)
    {
        var service = new StationControlService(station.Control, station.Services.GetRequiredService<FirmwareBridge.Exposure.IExposurePresses>(), new CathLab.Security.Audit.JsonLinesAuditLog(Path.Combine(station.Folder, "status-audit.jsonl")),
            new PedalLease(TimeSpan.FromMilliseconds(PedalLease.DefaultMs)), TimeProvider.System, station.Services.GetRequiredService<CalibrationState>());
        return service.GetStatus(new Protocol.GetStatusRequest(), null!).Result.CalibrationWarning;
    }

    /// <summary>A row's (or column's) mean against the mean of the lines two away on either side, in percent.</summary>
    private static double LineContrast(ushort[] frame, int line, bool row, double offset = 0)
    {
        double Mean(int l)
        {
            double sum = 0;
            for (int k = 0; k < Side; k++) sum += row ? frame[l * Side + k] : frame[k * Side + l];
            return sum / Side - offset;
        }
        return 100 * (Mean(line) / ((Mean(line - 2) + Mean(line + 2)) / 2) - 1);
    }

    private static ushort[] CorrectThroughPipeline(CalibrationData data, ushort[] raw, BackendChoice backend)
    {
        var identity = new ushort[65536];
        for (int i = 0; i < identity.Length; i++) identity[i] = (ushort)i;
        var parameters = new ProcessingParameters
        {
            Mode = PipelineMode.Cine,
            Unsharp = new() { Gain = 0 },
            Display = new DisplaySettings { Format = OutputFormat.Lut16, Lut = identity },
        };
        using var pipeline = new FramePipeline(data, parameters, new PipelineOptions { Backend = backend });
        var output = new byte[pipeline.Layout.TotalBytes];
        pipeline.BeginRun();
        pipeline.Process(raw, output);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(output.AsSpan(0, raw.Length * 2)).ToArray();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (int i = 0; i < 600; i++)
        {
            if (condition()) return;
            await Task.Delay(50);
        }
        Assert.Fail($"timed out waiting for {what}");
    }
}
