using CathLab.Acquisition.Calibration;
using Proto = CathLab.Station.Protocol;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace CathLab.Station.Calibration;

/// <summary>Calibration records and constancy results as the control API's messages.</summary>
public static class CalibrationReplies
{
    public static Proto.CalibrationInfo Info(CalibrationState state)
    {
        var record = state.Record;
        var geometry = state.Geometry;
        var info = new Proto.CalibrationInfo { Calibrated = record is not null, Side = geometry.Width, BitsStored = geometry.BitsStored };
        if (state.OffsetAt is { } offsetAt) info.OffsetAt = Timestamp.FromDateTimeOffset(offsetAt);
        if (state.Warning is { } warning) info.Warning = warning;
        if (record is null) return info;
        info.Id = record.Id;
        info.CalibratedAt = Timestamp.FromDateTimeOffset(record.CalibratedAt);
        info.DefectPixels = record.DefectPixels;
        info.DefectRows.AddRange(record.DefectRows);
        info.DefectColumns.AddRange(record.DefectColumns);
        info.NonUniformityBeforePercent = record.NonUniformityBeforePercent;
        if (record.Baseline is { } baseline) info.Baseline = Figures(baseline);
        info.FloodKv = record.FloodKv;
        info.FloodMa = record.FloodMa;
        info.FloodAirKermaUgy = record.FloodAirKermaMicroGray;
        return info;
    }

    public static Proto.ConstancyCheck Check(ConstancyResult result)
    {
        var check = new Proto.ConstancyCheck
        {
            At = Timestamp.FromDateTimeOffset(result.At),
            CalibrationId = result.CalibrationId,
            Figures = Figures(result.Figures),
            Passed = result.Passed,
        };
        if (result.Baseline is { } baseline) check.Baseline = Figures(baseline);
        check.Failures.AddRange(result.Failures);
        return check;
    }

    private static Proto.ConstancyFigures Figures(ConstancyFigures f) => new()
    {
        NonUniformityPercent = f.NonUniformityPercent,
        NoisePercent = f.NoisePercent,
        SnrSquaredPerUgy = f.SnrSquaredPerMicroGray,
        DefectPixels = f.DefectPixels,
    };
}
