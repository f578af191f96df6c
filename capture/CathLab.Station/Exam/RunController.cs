using CathLab.Acquisition.Imaging;
using CathLab.Acquisition.Protocols;
using CathLab.Acquisition.Runs;
using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Link;
using CathLab.Station.Control;
using CathLab.Wire.Generator;
using CathLab.Workflow;

namespace CathLab.Station.Exam;

/// <summary>One run at a time in the open exam: pedal down sets it up and starts the sequencer, pedal up (or the
/// exposure ending by itself: a fault, the generator's own end, an emergency stop) closes it, records or fails it, and
/// counts its irradiation. A run closed by the station still answers its pedal's release with what it became.</summary>
public sealed class RunController : IDisposable
{
    private readonly GeneratorBridge _bridge;
    private readonly RunSequencer _sequencer;
    private readonly StationRecorder _recorder;
    private readonly ProcessingStage _processing;
    private readonly ExamWorkflow _workflow;
    private readonly ExamPublisher _publisher;
    private readonly GeneratorTelemetry _telemetry;
    private readonly IExamEvents _events;
    private readonly TimeProvider _time;
    private readonly ILogger<RunController> _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private RunSlot _slot = new NoRunYet();
    private int _runNumber;

    /// <summary>The controller's run state: each is one of the records below, and only <see cref="Move"/> changes it.</summary>
    private abstract record RunSlot;

    private sealed record NoRunYet : RunSlot;

    /// <summary>A run from pedal down until its close is done (starting, exposing or ending).</summary>
    private sealed record InProgress(ActiveRun Run) : RunSlot;

    private sealed record Ended(ActiveRun Last) : RunSlot;

    public RunController(GeneratorBridge bridge, RunSequencer sequencer, StationRecorder recorder, ProcessingStage processing, ExamWorkflow workflow,
        ExamPublisher publisher, GeneratorTelemetry telemetry, IExamEvents events, TimeProvider time, ILogger<RunController> logger)
    {
        _bridge = bridge;
        _sequencer = sequencer;
        _recorder = recorder;
        _processing = processing;
        _workflow = workflow;
        _publisher = publisher;
        _telemetry = telemetry;
        _events = events;
        _time = time;
        _logger = logger;
        _bridge.Exposure.Transitioned += OnExposureTransition;
    }

    /// <summary>The run from its pedal down until its close is done; null between runs.</summary>
    public ActiveRun? InProgressRun
    {
        get { lock (_gate) return _slot is InProgress now ? now.Run : null; }
    }

    public void RefuseWhileInProgress(string refusal)
    {
        if (InProgressRun is not null) throw new StationRefusedException(refusal);
    }

    /// <summary>Refuses a pedal down while the generator cannot expose (not connected, or in fault); returns what it can do.</summary>
    public GeneratorCapabilities RequireExposable()
    {
        if (_bridge.Link.State != LinkState.Connected || _bridge.Link.Capabilities is not { } capabilities)
            throw new StationRefusedException("the generator is not connected");
        if (_bridge.Exposure.State.IsFaulted())
            throw new StationRefusedException($"the exposure controller is in fault ({_bridge.Exposure.LastError?.Message ?? "see the log"}): reset the fault first");
        return capabilities;
    }

    public RunView Start(OpenExam exam, AcquisitionProtocol protocol, string side, InputSource source)
    {
        if (protocol.Violation(RequireExposable()) is { } violation) throw new StationRefusedException(violation);
        ActiveRun run;
        RunSlot before;
        lock (_gate)
        {
            if (_slot is InProgress busy) throw new StationRefusedException($"run {busy.Run.Number} is exposing: release the pedal first");
            before = _slot;
            run = new ActiveRun(++_runNumber, protocol, exam, _time.GetLocalNow().DateTime) { Laterality = side };
            Move(new InProgress(run));
        }
        RunLengthLimit? limit;
        try
        {
            limit = _recorder.Begin(run);
            _processing.BeginRun(protocol.Kind, protocol.MaskFrames);
        }
        catch
        {
            // A run that never exposed leaves no trace: the last run is still the one before it.
            run.FailToStart();
            lock (_gate) Move(before);
            throw;
        }
        _events.RunStarted(run.Id, protocol.Kind, protocol.Phases[0].PulseRate);
        _telemetry.BeginRun();
        run.Start(_sequencer, limit?.Duration, r => OnRunLimit(r, limit!), source, _stopping.Token);
        _workflow.OnExposure(run.Exam.ProcedureStep, run.Exam.ExamId, run.Exam.Patient, run.Exam.Study);
        _logger.LogInformation("pedal down: run {Number} ({Protocol})", run.Number, protocol.Name);
        return run.View(0);
    }

    /// <summary>Stops emission, then closes the run whose pedal was released.</summary>
    public Task<RunView> PedalUpAsync(InputSource source, string why)
    {
        // Emission stops here, on the caller's thread, before anything of the run's own bookkeeping runs.
        _bridge.Exposure.PedalReleased(source, why);
        ActiveRun run;
        lock (_gate)
        {
            run = _slot switch
            {
                InProgress now => now.Run,
                Ended { Last: var last } when last.TakeOwedPedalRelease() => last,
                _ => throw new StationRefusedException("no run is exposing"),
            };
        }
        run.TakeOwedPedalRelease(); // released while the station's own close is still running: nothing more is owed
        run.ReleasePedal();
        return CloseAsync(run);
    }

    /// <summary>Keeps the last <paramref name="seconds"/> of the fluoro just run in <paramref name="exam"/> as a run of its own.</summary>
    public RunView SaveLastFluoro(OpenExam exam, double seconds)
    {
        int number;
        double rate;
        lock (_gate)
        {
            if (_slot is InProgress) throw new StationRefusedException("a run is exposing: save the fluoro after it");
            if (_slot is not Ended { Last: { Protocol.Kind: RunKind.Fluoro } fluoro } || fluoro.Exam != exam)
                throw new StationRefusedException("no fluoro was run in this exam since the last recorded run");
            rate = fluoro.Protocol.Phases[0].PulseRate;
            number = ++_runNumber;
        }
        return _recorder.SaveLastFluoro(exam, number, seconds, rate);
    }

    /// <summary>Re-issues a recorded DSA run of <paramref name="exam"/> with other mask frames, between runs.</summary>
    public RunView Remask(OpenExam exam, int runNumber, IReadOnlyList<int> maskFrames)
    {
        RefuseWhileInProgress("a run is exposing: remask after it");
        return _recorder.Remask(exam, runNumber, maskFrames);
    }

    /// <summary>Waits for the run to end (pedal released or exposure faulted), then records or fails it. Runs once per run.</summary>
    private Task<RunView> CloseAsync(ActiveRun run) => run.Closing(async () =>
    {
        RunResult result;
        try
        {
            result = await run.Completion;
        }
        catch (Exception e)
        {
            _logger.LogError(e, "run {Number} could not run", run.Number);
            result = new RunResult(run.Protocol, run.Number, 0, 0, 0, 0, TimeSpan.Zero, $"run stopped: {e.Message}");
        }
        var view = await _recorder.EndAsync(run, result);
        _publisher.RecordIrradiation(run, result, view);
        _processing.ResendLastImage();
        run.Exam.Add(view);
        run.Ended();
        lock (_gate)
        {
            if (_slot is InProgress now && now.Run == run) Move(new Ended(run));
        }
        _events.RunEnded(run.Id, view.Frames);
        if (view.State == RunState.Failed) _logger.LogError("run {Number} FAILED: {Failure}", view.Number, view.Failure);
        return view;
    });

    private void Move(RunSlot to)
    {
        bool allowed = (_slot, to) switch
        {
            (NoRunYet or Ended, InProgress) => true,
            (InProgress from, Ended end) when from.Run == end.Last => true,
            (InProgress { Run.Phase: RunPhase.Failed }, NoRunYet or Ended) => true,
            _ => false,
        };
        if (!allowed) throw new InvalidOperationException($"the station's run does not go from {_slot} to {to}");
        _slot = to;
    }

    /// <summary>The run reached what the recorder can hold: the exposure is stopped and the run kept whole, and the
    /// technician is told why it stopped with the pedal still down.</summary>
    private void OnRunLimit(ActiveRun run, RunLengthLimit limit)
    {
        var text = limit.Describe(run.Number);
        _logger.LogWarning("{Limit}", text);
        _telemetry.Raise("RecordingLimit", text);
    }

    /// <summary>A run whose exposure ended without its pedal's release (a fault, the generator's own end, an emergency
    /// stop such as the maximum hold) is closed by the station.</summary>
    private void OnExposureTransition(ExposureTransition transition)
    {
        bool faulted = transition.To.IsFaulted() && !transition.From.IsFaulted();
        bool endedBySelf = transition.From.IsExposing() && !transition.To.IsExposing() && transition.Input.Trigger != ExposureTrigger.Release;
        if (!faulted && !endedBySelf) return;
        if (InProgressRun is not { } run) return;
        _logger.LogError("exposure ended during run {Number} without a pedal release ({Transition}): closing the run", run.Number, transition);
        run.CloseByStation();
        _ = CloseAsync(run);
    }

    public void Dispose()
    {
        _bridge.Exposure.Transitioned -= OnExposureTransition;
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
