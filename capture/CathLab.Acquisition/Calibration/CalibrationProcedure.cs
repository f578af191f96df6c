using System.Diagnostics;
using CathLab.Acquisition.Sources;
using CathLab.Processing.Calibration;
using CathLab.Processing.Frames;

namespace CathLab.Acquisition.Calibration;

/// <summary>The gain and defect calibration (docs/calibration.md): dark frames, flood frames through
/// <see cref="IFloodExposure"/>, the flood checked (uniform, neither dark nor saturated), the maps built by the defect
/// criteria, the held-out flood frames corrected with them as the baseline constancy figures, and the new calibration
/// stored and put in force. Anything refused or aborted leaves the calibration in force and the store as they were.</summary>
public sealed class CalibrationProcedure(IFrameSource source, IFloodExposure flood, CalibrationStore store, CalibrationState state,
    CalibrationOptions options, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<CalibrationOutcome> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var geometry = state.Geometry;
        var dark = await DarkFrameStatistics.AcquireAsync(source, geometry, options.DarkFrames, cancellationToken);
        var darkSeconds = clock.Elapsed.TotalSeconds;
        var frames = await flood.ExposeAsync(options.SettleFrames, options.FloodFrames, cancellationToken);
        var exposeSeconds = clock.Elapsed.TotalSeconds - darkSeconds;
        foreach (var f in frames)
            if (f.Info.Width != geometry.Width || f.Info.Height != geometry.Height)
                throw new CalibrationRefusedException($"a flood frame of {f.Info.Width}x{f.Info.Height} does not fit the detector mode in use ({geometry.Width}x{geometry.Height})");

        int used = frames.Count - options.HeldOutFloodFrames;
        var statistics = new PixelStatistics(geometry.PixelCount);
        foreach (var f in frames.Take(used)) statistics.Add(f.Pixels);
        double darkLevel = MeanOf(dark);
        var before = FloodUniformity.Measure(statistics.MeanFrame(), geometry.Width, darkLevel);
        CheckFlood(before, geometry);

        var built = new CalibrationBuilder(geometry, options.Criteria).Build(dark, statistics);
        var heldOut = frames.Skip(used).Select(f => f.Pixels).ToList();
        double kerma = frames.Average(f => f.Info.AirKermaNanoGray) / 1000.0;
        var baseline = ConstancyCheck.Measure(built.Data, heldOut, kerma, options.Criteria);
        var at = _time.GetUtcNow();
        var record = new CalibrationRecord
        {
            Id = CalibrationRecord.IdFor(geometry.Width, geometry.BitsStored, at),
            CalibratedAt = at,
            Side = geometry.Width,
            BitsStored = geometry.BitsStored,
            DarkFrames = dark.Frames,
            FloodFrames = used,
            FloodKv = frames.Average(f => f.Info.Technique.Kv),
            FloodMa = frames.Average(f => f.Info.Technique.Ma),
            FloodPulseWidthMs = frames.Average(f => f.Info.Technique.PulseWidthMs),
            FloodAirKermaMicroGray = kerma,
            FloodSignalLsb = built.MeanResponseLsb,
            NonUniformityBeforePercent = before.RmsPercent,
            Baseline = baseline,
            DefectPixels = built.DefectPixels,
            DefectRows = built.DefectRows,
            DefectColumns = built.DefectColumns,
        };
        var stored = new StoredCalibration(record, built.Data);
        store.Save(stored);
        state.Apply(stored);
        return new CalibrationOutcome(record, before, clock.Elapsed, TimeSpan.FromSeconds(darkSeconds), TimeSpan.FromSeconds(exposeSeconds));
    }

    /// <summary>Refuses a flood that cannot make a gain map: not uniform (attenuator missing, something in the beam),
    /// too dark to measure, or near saturation.</summary>
    private void CheckFlood(FloodUniformity flood, FrameGeometry geometry)
    {
        if (flood.RangePercent > options.FloodMaxRangePercent)
            throw new CalibrationRefusedException($"the flood is not uniform: its block means spread {flood.RangePercent:0.0} % (limit {options.FloodMaxRangePercent:0} %); clear the table and put the uniform attenuator in the beam");
        if (flood.Mean < 0.02 * geometry.MaxValue)
            throw new CalibrationRefusedException($"the flood is too dark ({flood.Mean:0} LSB above the offset, under 2 % of full scale)");
        if (flood.Mean > 0.9 * geometry.MaxValue)
            throw new CalibrationRefusedException($"the flood is near saturation ({flood.Mean:0} LSB above the offset)");
    }

    private static double MeanOf(PixelStatistics statistics)
    {
        double sum = 0;
        for (int i = 0; i < statistics.Pixels; i++) sum += statistics.Mean(i);
        return sum / statistics.Pixels;
    }
}

/// <summary>What the procedure made and how long it took (dark frames, flood exposure, all).</summary>
public sealed record CalibrationOutcome(CalibrationRecord Record, FloodUniformity Before, TimeSpan Took, TimeSpan DarkTook, TimeSpan ExposureTook);
