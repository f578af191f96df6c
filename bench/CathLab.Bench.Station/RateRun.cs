using CathLab.Station.Control;
using CathLab.Testing;
using System.Diagnostics;

namespace CathLab.Bench.Station;

/// <summary>One recorded cine run of a given length at one frame rate: a fresh simulator and station, an exam, the pedal
/// held, then the figures read from the station's own parts and the object read back; the object is deleted after.</summary>
internal static class RateRun
{
    public static async Task<RateResult> RunAsync(double rate, HarnessOptions options, TextWriter log)
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "1024", "--preset", options.Preset);
        await using var station = await BenchStation.StartAsync(sim, [rate]);
        var control = station.Control;
        await control.StartExamAsync(new ExamRequest("BENCH^STATION", "BENCH-0001", "ACC-BENCH-1", "Station end-to-end bench"), CancellationToken.None);

        await WarmUpAsync(station, rate, log);

        var droppedBefore = station.Fanout.Queues.ToDictionary(q => q.Name, q => q.Dropped);
        long exhaustedBefore = station.Pool.Exhausted;
        long processedBefore = station.Processing.Processed;
        long recordedBefore = station.Recorder.FramesRecorded;
        long publishedBefore = station.Hub.Counters.Published;
        station.Processing.Latency.Reset();
        string loadBefore = LoadAverage();
        string? alertBefore = control.Status.LastAlert;
        var self = Process.GetCurrentProcess();
        TimeSpan stationCpuBefore = self.TotalProcessorTime, simCpuBefore = sim.ProcessorTime;
        int gen2Before = GC.CollectionCount(2);
        TimeSpan pauseBefore = GC.GetTotalPauseDuration();
        long allocatedBefore = GC.GetTotalAllocatedBytes();
        var clock = Stopwatch.StartNew();

        log.WriteLine($"  {rate} fps: pedal down for {options.Seconds} s");
        await control.PedalDownAsync(BenchStation.CineProtocol(rate), CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
        var run = await control.PedalUpAsync(CancellationToken.None);

        double wall = clock.Elapsed.TotalSeconds;
        var gc = new GcFigures(GC.CollectionCount(2) - gen2Before, GC.GetTotalPauseDuration() - pauseBefore, GC.GetTotalAllocatedBytes() - allocatedBefore);
        self.Refresh();
        double stationCores = (self.TotalProcessorTime - stationCpuBefore).TotalSeconds / wall;
        double simCores = (sim.ProcessorTime - simCpuBefore).TotalSeconds / wall;
        string loadAfter = LoadAverage();
        var latency = station.Processing.Latency;
        var dropped = station.Fanout.Queues.Select(q => (q.Name, q.Dropped - droppedBefore.GetValueOrDefault(q.Name))).ToList();
        string? lastAlert = control.Status.LastAlert is { } alert && alert != alertBefore ? alert : null;
        log.WriteLine($"  {rate} fps: run {run.State}, {run.Pulses} pulses, {run.Frames} frames{(run.Failure is null ? "" : $", failure: {run.Failure}")}");

        int? objectFrames = null;
        string? objectProblem = null;
        string? objectSyntax = null;
        long objectBytes = 0;
        double diskSpeed = 0;
        if (run.ObjectPath is { } path && File.Exists(path))
        {
            objectBytes = new FileInfo(path).Length;
            try
            {
                var (sopClass, frames, syntax) = XaObjectCheck.Read(path);
                objectFrames = frames;
                objectSyntax = syntax;
                if (sopClass != "1.2.840.10008.5.1.4.1.1.12.1") objectProblem = $"SOP class {sopClass}, not XA";
            }
            catch (InvalidOperationException e)
            {
                objectProblem = e.Message;
            }
            string folder = Path.GetDirectoryName(path)!;
            // The object goes before the disk is measured, so the two never hold the disk's space at once.
            File.Delete(path);
            diskSpeed = DiskWriteSpeed.BytesPerSecond(folder, objectBytes);
        }
        else objectProblem = run.ObjectPath is null ? "the run left no object" : $"{run.ObjectPath} is missing";

        return new RateResult(rate, options.Seconds, run.State.ToString(), run.Failure, lastAlert, run.Pulses, run.Frames,
            station.Recorder.FramesRecorded - recordedBefore, objectFrames, objectProblem, dropped, station.Pool.Exhausted - exhaustedBefore,
            station.Processing.Processed - processedBefore, station.Hub.Counters.Published - publishedBefore,
            latency.P50Milliseconds, latency.P99Milliseconds, latency.MaxMicroseconds / 1000.0,
            wall, stationCores, simCores, gc, objectBytes, objectBytes / wall, diskSpeed, loadBefore, loadAfter)
        {
            ObjectTransferSyntax = objectSyntax,
        };
    }

    /// <summary>A short run at the same rate first, so that both processes have compiled their frame paths before the
    /// measured run; its object is deleted and a fault it left (a late heartbeat while compiling) is cleared.</summary>
    private static async Task WarmUpAsync(BenchStation station, double rate, TextWriter log)
    {
        var control = station.Control;
        await control.PedalDownAsync(BenchStation.CineProtocol(rate), CancellationToken.None);
        await Task.Delay(WarmUp);
        var run = await control.PedalUpAsync(CancellationToken.None);
        log.WriteLine($"  {rate} fps: warm-up run {run.State}, {run.Pulses} pulses{(control.Status.LastAlert is { } alert ? $", last alert: {alert}" : "")}");
        if (run.ObjectPath is { } path) File.Delete(path);
        if (control.Status.ExposureState == "Fault") await control.ResetFaultAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1));
    }

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
