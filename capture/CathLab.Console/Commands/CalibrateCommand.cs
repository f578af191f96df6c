using System.Globalization;
using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab calibrate [--show | --offset | --check | --history]</c>: the detector calibration
/// (docs/calibration.md). Alone it runs the gain and defect procedure (table clear, uniform attenuator in the beam, no
/// exam open).</summary>
public sealed class CalibrateCommand : StationCommand
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public override string Name => "calibrate";

    public override string Summary => "detector calibration: gain/defect procedure, --offset, --check (constancy), --show, --history";

    public override string Usage => """
        usage: cathlab calibrate [--show | --offset | --check | --history]
          (none)      run the gain and defect procedure: clear the table, put the uniform attenuator in the beam,
                      no exam open; dark frames, then flood frames; the new calibration is stored and used
          --show      the calibration in force and its warning
          --offset    refresh the offset map from dark frames now (not while a run is exposing)
          --check     constancy check: a few flood frames against the limits and the calibration's baseline
          --history   every constancy check kept

        """ + StationTarget.OptionsUsage;

    protected override IReadOnlyCollection<string> Switches => ["show", "offset", "check", "history"];

    protected override StationAction Prepare(IReadOnlyList<string> words, OptionReader options)
    {
        string[] chosen = [.. new[] { "show", "offset", "check", "history" }.Where(options.Has)];
        if (chosen.Length > 1) throw new UsageException($"choose one of --{string.Join(", --", chosen)}");
        return chosen.FirstOrDefault() switch
        {
            "show" => async (station, output, cancellation) =>
            {
                output.WriteLine(Describe(await station.Calibration.GetCalibrationAsync(new GetCalibrationRequest(), station.Call(cancellation))));
                return ExitCodes.Success;
            },
            "offset" => async (station, output, cancellation) =>
            {
                var reply = await station.Calibration.RefreshOffsetAsync(new RefreshOffsetRequest(), station.Call(cancellation));
                output.WriteLine(string.Create(Invariant, $"offset map refreshed in {reply.Seconds * 1000:0} ms"));
                return ExitCodes.Success;
            },
            "check" => async (station, output, cancellation) =>
            {
                var check = await station.Calibration.CheckConstancyAsync(new CheckConstancyRequest(), station.Call(cancellation));
                output.WriteLine(Describe(check));
                return check.Passed ? ExitCodes.Success : ExitCodes.Failure;
            },
            "history" => async (station, output, cancellation) =>
            {
                var reply = await station.Calibration.ListConstancyHistoryAsync(new ListConstancyHistoryRequest(), station.Call(cancellation));
                if (reply.Checks.Count == 0) output.WriteLine("no constancy check yet");
                foreach (var check in reply.Checks) output.WriteLine(Describe(check));
                return ExitCodes.Success;
            },
            _ => async (station, output, cancellation) =>
            {
                output.WriteLine("calibrating: table clear, uniform attenuator in the beam; dark frames, then flood exposure ...");
                var reply = await station.Calibration.CalibrateAsync(new CalibrateRequest(), station.Call(cancellation));
                output.WriteLine(string.Create(Invariant, $"calibrated in {reply.Seconds:0.0} s ({reply.ExposureSeconds:0.0} s of flood exposure)"));
                output.WriteLine(Describe(reply.Calibration));
                return ExitCodes.Success;
            },
        };
    }

    private static string Describe(CalibrationInfo c)
    {
        string line = c.Calibrated
            ? string.Create(Invariant, $"calibration {c.Id}: {c.Side}x{c.Side} {c.BitsStored} bits, made {c.CalibratedAt.ToDateTimeOffset().ToLocalTime():yyyy-MM-dd HH:mm}")
                + string.Create(Invariant, $", flood {c.FloodKv:0.0} kV {c.FloodMa:0.0} mA {c.FloodAirKermaUgy:0.0} uGy/frame, {c.DefectPixels} defective pixels")
                + string.Create(Invariant, $" (rows {Lines(c.DefectRows)}, columns {Lines(c.DefectColumns)}), non-uniformity {c.NonUniformityBeforePercent:0.00} % before")
                + (c.Baseline is { } b ? string.Create(Invariant, $", {b.NonUniformityPercent:0.00} % after, noise {b.NoisePercent:0.00} %, SNR2/uGy {b.SnrSquaredPerUgy:0}") : "")
            : string.Create(Invariant, $"no gain/defect calibration for {c.Side}x{c.Side} {c.BitsStored} bits");
        if (c.OffsetAt is { } offset) line += $"; offset refreshed {offset.ToDateTimeOffset().ToLocalTime():HH:mm:ss}";
        if (c.HasWarning) line += $"\nWARNING: {c.Warning}";
        return line;
    }

    private static string Describe(ConstancyCheck c)
    {
        var f = c.Figures;
        string line = string.Create(Invariant, $"{c.At.ToDateTimeOffset().ToLocalTime():yyyy-MM-dd HH:mm:ss} {c.CalibrationId}: {(c.Passed ? "PASS" : "FAIL")}")
            + string.Create(Invariant, $" non-uniformity {f.NonUniformityPercent:0.00} %, noise {f.NoisePercent:0.00} %, SNR2/uGy {f.SnrSquaredPerUgy:0}, defects {f.DefectPixels}")
            + (c.Baseline is null ? " (calibration baseline)" : "");
        foreach (var failure in c.Failures) line += $"\n  failed: {failure}";
        return line;
    }

    private static string Lines(IEnumerable<int> lines) => lines.Any() ? string.Join(",", lines) : "none";
}
