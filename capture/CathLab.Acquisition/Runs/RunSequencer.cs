using System.Diagnostics;
using CathLab.Acquisition.Distribution;
using CathLab.Acquisition.Frames;
using CathLab.Acquisition.Protocols;
using CathLab.Acquisition.Sources;
using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Abc;
using CathLab.FirmwareBridge.Dose;
using CathLab.FirmwareBridge.Exposure;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;

namespace CathLab.Acquisition.Runs;

/// <summary>Runs one acquisition at a time: sets up automatic dose control for the protocol's kind and rate, presses
/// the pedal, feeds every raw frame to the dose loop and then to the consumers, steps through the protocol's phases,
/// and on release checks that every pulse the generator reported became a frame.</summary>
public sealed class RunSequencer
{
    private static readonly TimeSpan LastFrameWait = TimeSpan.FromSeconds(2);
    private readonly GeneratorBridge _bridge;
    private readonly IFrameSource _source;
    private readonly FrameFanout _fanout;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private AbcLoop? _abc;
    private ExposureKind? _exposing;
    private bool _running;
    private long _framesThisRun;
    private long _framesLostThisRun;
    private int _runNumber;

    public RunSequencer(GeneratorBridge bridge, IFrameSource source, FrameFanout fanout, ILogger<RunSequencer> logger)
    {
        _bridge = bridge;
        _source = source;
        _fanout = fanout;
        _logger = logger;
        _source.FrameArrived += OnFrame;
        _source.FramesLost += OnFramesLost;
    }

    /// <summary>Frames that arrived while no run was exposing (dark frames, stragglers); they are not published.</summary>
    public long StrayFrames { get; private set; }

    /// <summary>Frames received so far in the run that is exposing (or in the last run, once it has ended).</summary>
    public long FramesThisRun
    {
        get { lock (_gate) return _framesThisRun; }
    }

    /// <summary>Exposes <paramref name="protocol"/> while <paramref name="pedalHeld"/> runs (the pedal is released when it
    /// completes or is cancelled), then waits for the frames of the pulses already delivered.</summary>
    public async Task<RunResult> RunAsync(AcquisitionProtocol protocol, Func<CancellationToken, Task> pedalHeld, CancellationToken cancellationToken,
        InputSource source = InputSource.HardwarePedal)
    {
        var capabilities = _bridge.Link.Capabilities ?? throw new InvalidOperationException("the generator is not connected");
        if (protocol.Violation(capabilities) is { } violation) throw new ArgumentException(violation, nameof(protocol));
        if (_bridge.Exposure.State.IsFaulted())
            throw new InvalidOperationException("the exposure controller is in fault: reset the fault before a run");

        lock (_gate)
        {
            // One exposure at a time, whoever asks (the exam's pedal, the detector calibration's flood).
            if (_running) throw new InvalidOperationException("another run is exposing: one run at a time");
            _running = true;
        }
        try
        {
            return await RunOneAsync(protocol, pedalHeld, source, cancellationToken);
        }
        finally
        {
            lock (_gate) _running = false;
        }
    }

    private async Task<RunResult> RunOneAsync(AcquisitionProtocol protocol, Func<CancellationToken, Task> pedalHeld, InputSource source, CancellationToken cancellationToken)
    {
        var kind = protocol.ExposureKind;
        var first = protocol.Phases[0];
        var abc = _bridge.CreateAbc(kind, first.PulseRate, RunDoseTarget.For(protocol.Kind));
        await abc.StartAsync(cancellationToken);
        int runsBefore = _bridge.Dose.Runs.Count;
        lock (_gate)
        {
            _abc = abc;
            _framesThisRun = 0;
            _framesLostThisRun = 0;
            _exposing = kind;
            _runNumber++;
        }
        var clock = Stopwatch.StartNew();
        string? failure = null;
        try
        {
            var pressed = _bridge.Exposure.PedalPressed(kind, source);
            _logger.LogInformation("run {Number} ({Protocol}): {Transition}", _runNumber, protocol.Name, pressed);
            using var release = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var phases = StepThroughPhasesAsync(protocol, kind, release.Token);
            try
            {
                await pedalHeld(release.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            finally
            {
                _bridge.Exposure.PedalReleased(source, "run ended");
                release.Cancel();
            }
            try { await phases; } catch (OperationCanceledException) { }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _bridge.Exposure.PedalReleased(source, "run stopped");
            failure = $"run stopped: {e.Message}";
        }

        await WaitUntilAsync(() => _bridge.Exposure.Snapshot is { Emitting: false, State: not ExposureState.Stopping }, LastFrameWait);
        var closedDose = _bridge.Dose.Runs.Count > runsBefore ? _bridge.Dose.Runs[^1].Totals : null;
        var dose = closedDose ?? UnclosedRunDose();
        int pulses = dose?.Pulses ?? 0;
        await WaitUntilAsync(() => Interlocked.Read(ref _framesThisRun) + Interlocked.Read(ref _framesLostThisRun) >= pulses, LastFrameWait);
        long frames, lost;
        lock (_gate)
        {
            _exposing = null;
            _abc = null;
            frames = _framesThisRun;
            lost = _framesLostThisRun;
        }
        if (_bridge.Exposure.LastError is { } error && failure is null && _bridge.Exposure.State.IsFaulted())
            failure = $"exposure fault: {error.Message}";
        if (failure is null && closedDose is null && dose is not null) failure = "the generator never reported the exposure's end (the link was lost mid-exposure)";
        if (failure is null && lost > 0) failure = $"{lost} frame(s) lost on the frame link";
        if (failure is null && frames != pulses) failure = $"{pulses} pulses but {frames} frames";
        var result = new RunResult(protocol, _runNumber, pulses, frames, lost, dose?.ReferenceAirKermaMilliGray ?? 0, clock.Elapsed, failure) { Dose = dose ?? DoseTotals.Zero };
        if (result.Complete) _logger.LogInformation("run {Number} complete: {Pulses} pulses, {Frames} frames", result.Number, pulses, frames);
        else _logger.LogError("run {Number} FAILED: {Failure}", result.Number, failure);
        return result;
    }

    private async Task StepThroughPhasesAsync(AcquisitionProtocol protocol, ExposureKind kind, CancellationToken cancellationToken)
    {
        for (int i = 0; i < protocol.Phases.Count - 1; i++)
        {
            await Task.Delay(protocol.Phases[i].Duration ?? Timeout.InfiniteTimeSpan, cancellationToken);
            var next = protocol.Phases[i + 1];
            var abc = _bridge.CreateAbc(kind, next.PulseRate, RunDoseTarget.For(protocol.Kind));
            await abc.StartAsync(cancellationToken);
            lock (_gate) _abc = abc;
            _logger.LogInformation("phase {Phase} at {Rate} pulses/s", next.Name, next.PulseRate);
        }
    }

    private void OnFrame(Frame frame)
    {
        AbcLoop? abc;
        lock (_gate)
        {
            if (_exposing is null || frame.Info.Dark)
            {
                StrayFrames++;
                frame.Release();
                return;
            }
            abc = _abc;
            _framesThisRun++;
        }
        var info = frame.Info;
        abc?.OnFrame(frame.Pixels, info.Width, info.Height, info.Technique);
        _fanout.Publish(frame);
    }

    private void OnFramesLost(long count)
    {
        lock (_gate)
        {
            // A gap seen before this run's first frame was left by the end of the previous run. Were this run's own first
            // frame lost, its pulses would outnumber its frames, which fails the run anyway.
            if (_exposing is not null && _framesThisRun > 0) _framesLostThisRun += count;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < timeout) await Task.Delay(10);
    }

    /// <summary>The ledger's totals of an exposure that started but never ended (the link was lost mid-exposure, so no
    /// ExposureEnded came): its pulses were delivered and must reach the dose report. Null when there is none (the
    /// ledger's current run is then the last closed one, or empty).</summary>
    private DoseTotals? UnclosedRunDose()
    {
        var current = _bridge.Dose.CurrentRun;
        var runs = _bridge.Dose.Runs;
        if (current.Pulses == 0 || (runs.Count > 0 && runs[^1].Totals == current)) return null;
        return current;
    }
}
