using CathLab.Acquisition.Calibration;
using CathLab.Acquisition.Imaging;
using CathLab.Acquisition.Recording;
using CathLab.Acquisition.Sources;
using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Exposure;
using CathLab.Processing.Calibration;
using CathLab.Station.Configuration;
using CathLab.Station.Control;

namespace CathLab.Station.Calibration;

/// <summary>Keeps the detector calibrated (docs/calibration.md): puts every calibration change into the processing
/// stage, refreshes the offset from dark frames at start, between runs once the detector has been idle long enough, and
/// on request (never while exposing or recording: a refresh that a run overtook is dropped), and runs the gain and defect
/// procedure and the constancy check for the technician. One of these at a time.</summary>
public sealed class CalibrationService(CalibrationState state, CalibrationStore store, ConstancyHistory history, ProcessingStage stage,
    IFrameSource source, GeneratorBridge bridge, RunRecorder recorder, IFloodExposure flood, IServiceProvider services, StationOptions options,
    ILogger<CalibrationService> logger, TimeProvider? time = null) : BackgroundService
{
    private static readonly TimeSpan StartRetry = TimeSpan.FromSeconds(2);

    // An offset refresh takes well under a second; a calibration much longer than this.
    private static readonly TimeSpan BusyWait = TimeSpan.FromSeconds(10);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly CalibrationOptions _options = options.Calibration;
    private readonly SemaphoreSlim _busy = new(1, 1);
    private long _activity;
    private DateTimeOffset _lastActivityAt = DateTimeOffset.MinValue;

    public CalibrationState State => state;

    public IReadOnlyList<ConstancyResult> History => history.Read();

    /// <summary>The last offset refresh: when it finished and how long it took.</summary>
    public (DateTimeOffset At, TimeSpan Took)? LastOffsetRefresh { get; private set; }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        state.Changed += stage.SetCalibration;
        bridge.Exposure.Transitioned += OnTransition;
        if (state.Warning is { } warning) logger.LogWarning("calibration: {Warning}", warning);
        else logger.LogInformation("calibration {Id} loaded", state.Record?.Id);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshOffsetAsync(stoppingToken);
                break;
            }
            catch (NotSupportedException e)
            {
                logger.LogWarning("no offset refresh from this detector: {Error}", e.Message);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is not OperationCanceledException)
            {
                logger.LogDebug("offset refresh at start not done yet ({Error}); retrying", e.Message);
                await Task.Delay(StartRetry, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        if (_options.OffsetRefreshSeconds <= 0) return;
        using var ticks = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await ticks.WaitForNextTickAsync(stoppingToken))
            {
                if (!DueForOffset()) continue;
                try
                {
                    await RefreshOffsetAsync(stoppingToken);
                }
                catch (Exception e) when (e is StationRefusedException or InvalidDataException or IOException or TimeoutException or InvalidOperationException)
                {
                    logger.LogDebug("offset refresh between runs skipped: {Error}", e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Refreshes the offset map now; refused while exposing, recording or calibrating.</summary>
    public async Task<CalibrationData> RefreshOffsetAsync(CancellationToken cancellationToken)
    {
        RefuseWhileBusy("an offset refresh");
        if (!await _busy.WaitAsync(BusyWait, cancellationToken)) throw new StationRefusedException("a calibration is in progress");
        try
        {
            long before = Interlocked.Read(ref _activity);
            var began = _time.GetTimestamp();
            var dark = await DarkFrameStatistics.AcquireAsync(source, state.Geometry, _options.DarkFrames, cancellationToken);
            if (Interlocked.Read(ref _activity) != before || Exposing)
                throw new StationRefusedException("an exposure began during the offset refresh: it was dropped (tried again when idle)");
            var refreshed = DarkFrameAverager.WithOffset(state.Data, dark);
            state.ApplyOffset(refreshed);
            var took = _time.GetElapsedTime(began);
            LastOffsetRefresh = (_time.GetUtcNow(), took);
            logger.LogInformation("offset map refreshed from {Frames} dark frames in {Ms:0} ms", dark.Frames, took.TotalMilliseconds);
            return refreshed;
        }
        finally
        {
            _busy.Release();
        }
    }

    /// <summary>Runs the gain and defect procedure; refused with an exam open or while exposing.</summary>
    public async Task<CalibrationOutcome> CalibrateAsync(CancellationToken cancellationToken)
    {
        RefuseWithExamOpen("calibrate");
        if (!await _busy.WaitAsync(BusyWait, cancellationToken)) throw new StationRefusedException("a calibration is in progress");
        try
        {
            logger.LogInformation("calibration: table clear and the uniform attenuator in the beam; {Dark} dark frames, then {Flood} flood frames at {Rate} pulses/s",
                _options.DarkFrames, _options.FloodFrames, _options.FloodPulseRate);
            var outcome = await new CalibrationProcedure(source, flood, store, state, _options, _time).RunAsync(cancellationToken);
            var record = outcome.Record;
            logger.LogInformation("calibration {Id} stored in {Seconds:0.0} s: non-uniformity {Before:0.00} % before, {After:0.00} % after; {Defects} defective pixels ({Rows} rows, {Columns} columns)",
                record.Id, outcome.Took.TotalSeconds, record.NonUniformityBeforePercent, record.Baseline?.NonUniformityPercent, record.DefectPixels, record.DefectRows.Count, record.DefectColumns.Count);
            if (record.Baseline is { } baseline) history.Append(ConstancyCheck.Judge(record.CalibratedAt, record.Id, baseline, null, Limits));
            return outcome;
        }
        catch (Exception e) when (e is CalibrationRefusedException or CalibrationAbortedException)
        {
            logger.LogError("calibration not changed: {Reason}", e.Message);
            throw new StationRefusedException(e.Message);
        }
        finally
        {
            _busy.Release();
        }
    }

    /// <summary>Exposes a few flood frames, corrects them with the calibration in force and holds the figures against
    /// the limits and the calibration's baseline; the result joins the history.</summary>
    public async Task<ConstancyResult> CheckConstancyAsync(CancellationToken cancellationToken)
    {
        RefuseWithExamOpen("check constancy");
        var record = state.Record ?? throw new StationRefusedException("there is no calibration to check: calibrate first");
        if (!await _busy.WaitAsync(BusyWait, cancellationToken)) throw new StationRefusedException("a calibration is in progress");
        try
        {
            var frames = await flood.ExposeAsync(_options.SettleFrames, _options.CheckFrames, cancellationToken);
            var raw = frames.Select(f => f.Pixels).ToList();
            var geometry = state.Geometry;
            var uniformity = FloodUniformity.Measure(raw[0], geometry.Width, state.Data.Dark.Average());
            if (uniformity.RangePercent > _options.FloodMaxRangePercent)
                throw new StationRefusedException($"the flood is not uniform: its block means spread {uniformity.RangePercent:0.0} % (limit {_options.FloodMaxRangePercent:0} %); clear the table and put the uniform attenuator in the beam");
            double kerma = frames.Average(f => f.Info.AirKermaNanoGray) / 1000.0;
            var figures = ConstancyCheck.Measure(state.Data, raw, kerma, _options.Criteria);
            var result = ConstancyCheck.Judge(_time.GetUtcNow(), record.Id, figures, record.Baseline, Limits);
            history.Append(result);
            if (result.Passed) logger.LogInformation("constancy check passed: {Figures}", figures);
            else logger.LogWarning("constancy check FAILED: {Failures}", string.Join("; ", result.Failures));
            return result;
        }
        catch (CalibrationAbortedException e)
        {
            throw new StationRefusedException(e.Message);
        }
        finally
        {
            _busy.Release();
        }
    }

    private ConstancyLimits Limits => new(_options.MaxNonUniformityPercent, _options.MaxNoiseIncreasePercent, _options.MinSnrPerDoseRatio, _options.MaxNewDefects);

    private bool Exposing => bridge.Exposure.State.IsExposing() || bridge.Exposure.State == ExposureState.Preparing || bridge.Exposure.GeneratorExposing || recorder.Recording;

    private bool DueForOffset()
    {
        if (Exposing || _busy.CurrentCount == 0) return false;
        var now = _time.GetUtcNow();
        if (now - _lastActivityAt < TimeSpan.FromSeconds(_options.OffsetIdleSeconds)) return false;
        return state.OffsetAt is not { } at || now - at >= TimeSpan.FromSeconds(_options.OffsetRefreshSeconds);
    }

    private void RefuseWhileBusy(string what)
    {
        if (Exposing) throw new StationRefusedException($"the detector is exposing or a run is being recorded: {what} waits until the run has ended");
    }

    private void RefuseWithExamOpen(string what)
    {
        RefuseWhileBusy(what);
        if (services.GetRequiredService<IStationControl>().Status.Exam is { Open: true } exam)
            throw new StationRefusedException($"exam {exam.ExamId} is open: end it before you {what} (the flood needs the table clear)");
    }

    private void OnTransition(ExposureTransition transition)
    {
        Interlocked.Increment(ref _activity);
        _lastActivityAt = _time.GetUtcNow();
    }

    public override void Dispose()
    {
        bridge.Exposure.Transitioned -= OnTransition;
        state.Changed -= stage.SetCalibration;
        _busy.Dispose();
        base.Dispose();
    }
}
