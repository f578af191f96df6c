using System.Globalization;
using System.Text;

namespace CathLab.Bench.Station;

/// <summary>The harness's figures as a Markdown table, one column per frame rate, with the goals beside them.</summary>
internal static class ResultsTable
{
    private const double MiB = 1024 * 1024;

    public static string Markdown(IReadOnlyList<RateResult> results, HarnessOptions options, string machine)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Station end to end: {options.Seconds} s cine runs at 1024×1024, simulator preset '{options.Preset}'. {machine}");
        text.AppendLine();
        text.Append("| figure | goal |");
        foreach (var r in results) text.Append(CultureInfo.InvariantCulture, $" {r.Rate} fps |");
        text.AppendLine();
        text.Append("| --- | --- |");
        foreach (var _ in results) text.Append(" ---: |");
        text.AppendLine();
        Row(text, "run state", "Complete", results, r => r.Failure is null ? r.RunState : $"{r.RunState}: {r.Failure}");
        Row(text, "last alert during the run", "none", results, r => r.LastAlert ?? "none");
        Row(text, "generator pulses (per second of pedal time)", "= rate", results, r => F($"{r.Pulses} ({r.PulseRateAchieved:0.0}/s)"));
        Row(text, "frames received", "= pulses", results, r => r.FramesReceived.ToString(CultureInfo.InvariantCulture));
        Row(text, "frames recorded", "= pulses", results, r => r.FramesRecorded.ToString(CultureInfo.InvariantCulture));
        Row(text, "NumberOfFrames in the XA object (pydicom)", "= pulses", results,
            r => r.ObjectProblem is not null ? $"{r.ObjectFrames?.ToString(CultureInfo.InvariantCulture) ?? "—"} ({r.ObjectProblem})"
                : $"{r.ObjectFrames} ({(r.ObjectMatchesPulses ? "= pulses" : "≠ pulses")})");
        Row(text, "dropped per consumer", "recorder 0", results, r => string.Join(", ", r.DroppedPerConsumer.Select(d => $"{d.Consumer} {d.Dropped}")));
        Row(text, "frame pool exhausted", "0", results, r => r.PoolExhausted.ToString(CultureInfo.InvariantCulture));
        Row(text, "frames processed / sent to the live feed hub", "", results, r => $"{r.Processed} / {r.LiveFramesPublished}");
        Row(text, "arrival → processed latency p50 / p99 / max", "p99 ≤ 10 ms", results,
            r => F($"{r.LatencyP50Ms:0.00} / {r.LatencyP99Ms:0.00} / {r.LatencyMaxMs:0.0} ms"));
        Row(text, "station process CPU (cores)", "", results, r => F($"{r.StationCores:0.00}"));
        Row(text, "station GC over the run: gen2 collections / total pause / allocated", "", results,
            r => F($"{r.StationGc.Gen2Collections} / {r.StationGc.Pause.TotalMilliseconds:0} ms / {r.StationGc.AllocatedBytes / MiB:0} MiB"));
        Row(text, "simulator process CPU (cores)", "", results, r => F($"{r.SimulatorCores:0.00}"));
        Row(text, "run time (pedal down → object closed)", "", results, r => F($"{r.RunSeconds:0.0} s"));
        Row(text, "XA object transfer syntax (pydicom)", "", results, r => r.ObjectTransferSyntax ?? "—");
        Row(text, "XA object size (acquired frame bytes / object bytes)", "", results, r => F($"{r.ObjectBytes / MiB:0} MiB ({r.CompressionRatio:0.00})"));
        Row(text, "recorder throughput (object bytes / run time)", "", results, r => F($"{r.RecorderBytesPerSecond / MiB:0.0} MiB/s"));
        Row(text, "disk sequential write, same bytes, same folder, flushed", "", results, r => F($"{r.DiskBytesPerSecond / MiB:0.0} MiB/s"));
        Row(text, "recorder / disk", "< 1 (headroom)", results, r => F($"{r.RecorderToDisk:0.00}"));
        Row(text, "load average before → after", "", results, r => $"{r.LoadBefore} → {r.LoadAfter}");
        return text.ToString();
    }

    private static void Row(StringBuilder text, string figure, string goal, IReadOnlyList<RateResult> results, Func<RateResult, string> cell)
    {
        text.Append(CultureInfo.InvariantCulture, $"| {figure} | {goal} |");
        foreach (var r in results) text.Append(CultureInfo.InvariantCulture, $" {cell(r).Replace("|", "\\|", StringComparison.Ordinal)} |");
        text.AppendLine();
    }

    private static string F(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
