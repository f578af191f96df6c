using System.Globalization;
using CathLab.Processing.Calibration;
using CathLab.Processing.Frames;

namespace CathLab.Acquisition.Calibration;

/// <summary>The detector calibration in force for the mode in use: the maps, their record, when the offset was last
/// refreshed, and what the technician must be told (missing, refused at load, or older than the interval). Whoever
/// applies calibrations (processing, recording) listens to <see cref="Changed"/>.</summary>
public sealed class CalibrationState
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private CalibrationData _data;
    private CalibrationRecord? _record;
    private DateTimeOffset? _offsetAt;
    private string? _loadWarning;

    public CalibrationState(FrameGeometry geometry, TimeSpan interval, TimeProvider? time = null)
    {
        Geometry = geometry;
        Interval = interval;
        _time = time ?? TimeProvider.System;
        _data = CalibrationData.Identity(geometry);
    }

    public FrameGeometry Geometry { get; }

    /// <summary>How old a gain calibration may be before the station warns.</summary>
    public TimeSpan Interval { get; }

    public event Action<CalibrationData>? Changed;

    public CalibrationData Data
    {
        get { lock (_gate) return _data; }
    }

    public CalibrationRecord? Record
    {
        get { lock (_gate) return _record; }
    }

    public DateTimeOffset? OffsetAt
    {
        get { lock (_gate) return _offsetAt; }
    }

    /// <summary>Takes what the store found at start.</summary>
    public void Loaded(CalibrationLoad load)
    {
        lock (_gate) _loadWarning = load.Warning;
        if (load.Calibration is { } stored) Apply(stored);
    }

    /// <summary>Puts a new gain and defect calibration (with its own offset) in force.</summary>
    public void Apply(StoredCalibration calibration)
    {
        if (calibration.Data.Geometry != Geometry)
            throw new ArgumentException($"the calibration is for {calibration.Data.Geometry}, the detector in use is {Geometry}", nameof(calibration));
        lock (_gate)
        {
            _data = calibration.Data;
            _record = calibration.Record;
            _offsetAt = calibration.Record.CalibratedAt;
            _loadWarning = null;
        }
        Changed?.Invoke(calibration.Data);
    }

    /// <summary>Puts a refreshed offset map (same gain and defects) in force.</summary>
    public void ApplyOffset(CalibrationData data)
    {
        if (data.Geometry != Geometry) throw new ArgumentException($"the offset map is for {data.Geometry}, the detector in use is {Geometry}", nameof(data));
        lock (_gate)
        {
            _data = data;
            _offsetAt = _time.GetUtcNow();
        }
        Changed?.Invoke(data);
    }

    /// <summary>What the console shows, or null when the calibration is present and fresh.</summary>
    public string? Warning
    {
        get
        {
            lock (_gate)
            {
                if (_loadWarning is not null) return _loadWarning;
                if (_record is null) return $"no detector calibration for {Geometry.Width}x{Geometry.Height}, {Geometry.BitsStored} bits: images are not gain or defect corrected; run the calibration";
                var age = _time.GetUtcNow() - _record.CalibratedAt;
                return age > Interval
                    ? string.Create(CultureInfo.InvariantCulture, $"detector calibration {_record.Id} is {age.TotalDays:0.#} days old (interval {Interval.TotalDays:0.#} days): calibrate")
                    : null;
            }
        }
    }

    /// <summary>The calibration a run begun now is corrected with, and how its object names it.</summary>
    public AppliedCalibration ForRecording()
    {
        lock (_gate)
        {
            string offset = _offsetAt is { } at ? $"; offset {at.UtcDateTime:yyyyMMdd'T'HHmm'Z'}" : "";
            return _record is { } record
                ? new AppliedCalibration(_data, record.CalibratedAt, Clip($"corrected: cal {record.Id}{offset}"))
                : new AppliedCalibration(_data, null, Clip(_offsetAt is null ? "not corrected: no detector calibration" : $"offset only, no gain calibration{offset}"));
        }
    }

    // Acquisition Device Processing Description is LO: 64 characters.
    private static string Clip(string text) => text.Length <= 64 ? text : text[..64];
}
