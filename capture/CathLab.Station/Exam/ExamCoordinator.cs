using System.Globalization;
using CathLab.Capture.Acquisition;
using CathLab.Capture.Configuration;
using CathLab.Capture.Processing;
using CathLab.Capture.Workflow;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Uids;
using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Link;
using CathLab.LiveFeed;
using CathLab.Station.Control;

namespace CathLab.Station.Exam;

/// <summary>The station as the technician drives it: one exam at a time, one run at a time. It checks every request
/// before anything moves, runs the sequencer while the pedal is held, and closes a run by itself when the exposure
/// faults (a cut link, a generator fault), so that a run never waits for a pedal release that cannot help.</summary>
public sealed class ExamCoordinator : IStationControl, IDisposable
{
    private readonly GeneratorBridge _bridge;
    private readonly RunSequencer _sequencer;
    private readonly ProtocolSet _protocols;
    private readonly StationOptions _options;
    private readonly LiveFeedHub _hub;
    private readonly GeneratorTelemetry _telemetry;
    private readonly Live.LiveExamTelemetry _liveTelemetry;
    private readonly StationRecorder _recorder;
    private readonly OutboxService _outbox;
    private readonly ProcessingStage _processing;
    private readonly ExamWorkflow _workflow;
    private readonly Dictionary<string, WorklistItem> _worklist = new(StringComparer.Ordinal);
    private readonly ILogger<ExamCoordinator> _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private OpenExam? _exam;
    private ExamView? _lastExam;
    private AcquisitionProtocol _selected;
    private string _selectedSide = "";
    private ActiveRun? _run;
    private ActiveRun? _lastRun;
    private int _runNumber;
    private int _disposed;

    public ExamCoordinator(GeneratorBridge bridge, RunSequencer sequencer, ProtocolSet protocols, StationOptions options, LiveFeedHub hub,
        StationRecorder recorder, OutboxService outbox, ProcessingStage processing, ExamWorkflow workflow, ILogger<ExamCoordinator> logger)
    {
        _bridge = bridge;
        _sequencer = sequencer;
        _protocols = protocols;
        _options = options;
        _hub = hub;
        _recorder = recorder;
        _outbox = outbox;
        _processing = processing;
        _workflow = workflow;
        _logger = logger;
        _telemetry = new GeneratorTelemetry(bridge);
        _liveTelemetry = new Live.LiveExamTelemetry(bridge, hub, TimeProvider.System);
        _selected = protocols.All[0];
        _bridge.Exposure.Transitioned += OnExposureTransition;
    }

    public IReadOnlyList<AcquisitionProtocol> Protocols => _protocols.All;

    public StationStatus Status
    {
        get
        {
            OpenExam? exam;
            ActiveRun? run;
            AcquisitionProtocol selected;
            lock (_gate)
            {
                exam = _exam;
                run = _run;
                selected = _selected;
            }
            var dose = _bridge.Dose.Exam;
            var runDose = _bridge.Dose.CurrentRun;
            var technique = _telemetry.LastTechnique;
            var outbox = _outbox.Counts;
            return new StationStatus(
                ExposureState: _bridge.Exposure.State.ToString(),
                SelectedProtocol: selected.Name,
                Exam: exam?.View(open: true) ?? _lastExam,
                // The exposing run as it goes, else the open exam's last run as it ended (absent: no run yet in this exam).
                CurrentRun: run?.View(runDose.Pulses, (int)_sequencer.FramesThisRun, runDose.ReferenceAirKermaMilliGray) ?? exam?.Runs.LastOrDefault(),
                Kv: technique.Kv,
                Ma: technique.Ma,
                PulseWidthMs: technique.PulseWidthMs,
                PulseRate: run?.Protocol.Phases[0].PulseRate ?? 0,
                AirKermaRateMilliGrayPerMinute: _telemetry.AirKermaRateMilliGrayPerMinute,
                ReferenceAirKermaMilliGray: dose.ReferenceAirKermaMilliGray,
                DoseAreaProductGyCm2: dose.DoseAreaProductGyCm2,
                FluoroTime: dose.FluoroTime,
                FluoroAlert: _bridge.Dose.FluoroAlarmActive,
                TubeHeatPercent: _telemetry.HeatPercent,
                FramesRecorded: (int)_recorder.FramesRecorded,
                ObjectsPending: outbox.Outstanding,
                ObjectsCommitted: outbox.Committed,
                ObjectsFailed: outbox.Failed,
                LastAlert: _telemetry.LastAlert is { } alert ? $"{alert.At.ToLocalTime():HH:mm:ss} {alert.Kind}: {alert.Text}" : null,
                GeneratorConnected: _bridge.Link.State == LinkState.Connected);
        }
    }

    public IReadOnlyList<OutboxItemView> Outbox => _outbox.Items;

    public async Task<IReadOnlyList<WorklistEntryView>> QueryWorklistAsync(WorklistQuery query, CancellationToken cancellationToken)
    {
        var day = query.Date ?? DateOnly.FromDateTime(DateTime.Now);
        var match = WorklistMatch.ForStation(_options.AeTitle, day) with { PatientName = query.PatientName, PatientId = query.PatientId };
        var items = await _workflow.QueryWorklistAsync(match, cancellationToken);
        var views = new List<WorklistEntryView>();
        lock (_gate)
        {
            _worklist.Clear();
            foreach (var item in items)
            {
                string id = item.ScheduledProcedureStepId.Length > 0 ? item.ScheduledProcedureStepId
                    : item.AccessionNumber.Length > 0 ? item.AccessionNumber : item.StudyInstanceUid;
                _worklist[id] = item;
                views.Add(new WorklistEntryView(id, item.PatientName, item.PatientId, item.AccessionNumber, item.RequestedProcedureDescription,
                    item.ScheduledStart, item.StudyInstanceUid));
            }
        }
        return views;
    }

    public Task<ExamView> StartExamAsync(ExamRequest request, CancellationToken cancellationToken)
    {
        var now = DateTime.Now;
        string stamp = now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        WorklistItem? item = null;
        if (request.WorklistItemId is { } itemId)
        {
            lock (_gate)
            {
                if (!_worklist.TryGetValue(itemId, out item))
                    throw new StationRefusedException($"worklist item '{itemId}' is not in the last worklist query: query the worklist again");
            }
        }
        bool emergency = item is null && string.IsNullOrWhiteSpace(request.PatientId) && string.IsNullOrWhiteSpace(request.PatientName);
        if (item is null && !emergency && (string.IsNullOrWhiteSpace(request.PatientId) || string.IsNullOrWhiteSpace(request.PatientName)))
            throw new StationRefusedException("give both the patient's name and ID, or neither for an emergency exam");
        if (request.PatientId.Length > 64) throw new StationRefusedException("the patient ID is longer than 64 characters (DICOM LO)");
        if (request.PatientName.Length > 64 * 5) throw new StationRefusedException("the patient name is too long for DICOM (PN)");
        if (request.AccessionNumber.Length > 16) throw new StationRefusedException("the accession number is longer than 16 characters (DICOM SH)");
        var patient = item?.ToPatientInfo() ?? (emergency ? EmergencyPatient.At(now) : new PatientInfo(request.PatientName.Trim(), request.PatientId.Trim()));
        var study = item?.ToStudyInfo(now) ?? new StudyInfo(DicomUidGenerator.Default.Next(), now)
        {
            AccessionNumber = request.AccessionNumber.Trim(),
            Description = string.IsNullOrWhiteSpace(request.StudyDescription) ? "Cardiac catheterisation" : request.StudyDescription.Trim(),
        };
        if (study.StudyId.Length == 0) study = study with { StudyId = stamp.Replace("-", "", StringComparison.Ordinal) };
        OpenExam exam;
        lock (_gate)
        {
            if (_exam is not null) throw new StationRefusedException($"exam {_exam.ExamId} is open: end it before starting another");
            exam = new OpenExam(ExamIdentity.New(now), patient, study, emergency) { WorklistItem = item };
            _exam = exam;
        }
        _bridge.Dose.StartExam();
        _hub.BeginExam(exam.ExamId);
        _logger.LogInformation("exam {Exam} started for {Patient} ({Id}){Emergency}, study {Study}", exam.ExamId, patient.Name, patient.Id,
            emergency ? " as an EMERGENCY patient to reconcile" : "", study.InstanceUid);
        return Task.FromResult(exam.View(open: true));
    }

    public async Task<ExamView> EndExamAsync(ExamEnd end, CancellationToken cancellationToken)
    {
        OpenExam exam;
        lock (_gate) exam = _exam ?? throw new StationRefusedException("no exam is open");
        if (_run is not null) await PedalUpAsync(cancellationToken);
        lock (_gate)
        {
            _exam = null;
            _lastExam = exam.View(open: false);
        }
        _hub.EndExam();
        try
        {
            var (doseReport, discrepancy) = _workflow.WriteDoseReport(exam, _recorder.SpoolFolder);
            if (doseReport is not null) exam.AddObject(doseReport);
            if (discrepancy is not null) _telemetry.Raise("DoseReport", $"exam {exam.ExamId}: dose report written, but {discrepancy}");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            _logger.LogError("exam {Exam}: the dose report could not be written: {Error}", exam.ExamId, e.Message);
            _telemetry.Raise("DoseReport", $"exam {exam.ExamId}: the dose report could not be written: {e.Message}");
        }
        await _workflow.FinishProcedureStepAsync(exam, end);
        Publish(exam);
        _logger.LogInformation("exam {Exam} {How}: {Runs} recorded run(s), Ka,r {Kar:0.00} mGy", exam.ExamId,
            end.Discontinued ? $"DISCONTINUED ({end.Reason})" : "completed", exam.Runs.Count(r => r.ObjectPath is not null), _bridge.Dose.Exam.ReferenceAirKermaMilliGray);
        return _lastExam;
    }

    public void SelectProtocol(string name, string laterality = "")
    {
        var protocol = FindProtocol(name);
        var side = RunSide.For(protocol, laterality);
        lock (_gate)
        {
            if (_run is not null) throw new StationRefusedException("a run is exposing: release the pedal before changing the protocol");
            _selected = protocol;
            _selectedSide = side;
        }
    }

    public Task<RunView> PedalDownAsync(string? protocolName, CancellationToken cancellationToken, string? laterality = null, InputSource source = InputSource.HardwarePedal)
    {
        var protocol = protocolName is null ? null : FindProtocol(protocolName);
        if (_bridge.Link.State != LinkState.Connected || _bridge.Link.Capabilities is not { } capabilities)
            throw new StationRefusedException("the generator is not connected");
        if (_bridge.Exposure.State.IsFaulted())
            throw new StationRefusedException($"the exposure controller is in fault ({_bridge.Exposure.LastError?.Message ?? "see the log"}): reset the fault first");
        ActiveRun run;
        lock (_gate)
        {
            var exam = _exam ?? throw new StationRefusedException("no exam is open: start an exam (or an emergency exam) first");
            if (_run is not null) throw new StationRefusedException($"run {_run.Number} is exposing: release the pedal first");
            protocol ??= _selected;
            if (protocol.Violation(capabilities) is { } violation) throw new StationRefusedException(violation);
            var side = RunSide.For(protocol, laterality ?? (protocol == _selected ? _selectedSide : ""));
            run = new ActiveRun(++_runNumber, protocol, exam) { Laterality = side };
            _run = run;
        }
        RunLengthLimit? limit;
        try
        {
            limit = _recorder.Begin(run);
            _processing.BeginRun(protocol.Kind, protocol.MaskFrames);
        }
        catch
        {
            lock (_gate) _run = null;
            throw;
        }
        _hub.PublishRunStarted(run.Id, protocol.Kind.ToString().ToLowerInvariant(), protocol.Phases[0].PulseRate);
        _telemetry.BeginRun();
        run.Start(_sequencer, limit?.Duration, r => OnRunLimit(r, limit!), source, _stopping.Token);
        _workflow.OnExposure(run.Exam);
        _logger.LogInformation("pedal down: run {Number} ({Protocol})", run.Number, protocol.Name);
        return Task.FromResult(run.View(0));
    }

    public async Task<RunView> PedalUpAsync(CancellationToken cancellationToken, InputSource source = InputSource.HardwarePedal, string? why = null)
    {
        // Emission stops here, on the caller's thread, before anything of the run's own bookkeeping runs.
        _bridge.Exposure.PedalReleased(source, why ?? "pedal released");
        ActiveRun run;
        lock (_gate)
        {
            // A run that the station closed by itself (a fault) still answers its pedal release with what it became.
            run = _run ?? _lastRun ?? throw new StationRefusedException("no run is exposing");
            if (_run is null && !run.ClosedBySelf) throw new StationRefusedException("no run is exposing");
            run.ClosedBySelf = false;
        }
        run.ReleasePedal();
        return await CloseAsync(run);
    }

    public Task<RunView> SaveLastFluoroAsync(double seconds, CancellationToken cancellationToken)
    {
        var exam = RequireExam();
        int number;
        double rate;
        lock (_gate)
        {
            if (_run is not null) throw new StationRefusedException("a run is exposing: save the fluoro after it");
            if (_lastRun is not { Protocol.Kind: RunKind.Fluoro } fluoro || fluoro.Exam != exam)
                throw new StationRefusedException("no fluoro was run in this exam since the last recorded run");
            rate = fluoro.Protocol.Phases[0].PulseRate;
            number = ++_runNumber;
        }
        return Task.FromResult(_recorder.SaveLastFluoro(exam, number, seconds, rate));
    }

    public Task<RunView> RemaskAsync(int runNumber, IReadOnlyList<int> maskFrames, CancellationToken cancellationToken)
    {
        var exam = RequireExam();
        lock (_gate)
        {
            if (_run is not null) throw new StationRefusedException("a run is exposing: remask after it");
        }
        var view = _recorder.Remask(exam, runNumber, maskFrames);
        return Task.FromResult(view);
    }

    public bool ResetFluoroTimer()
    {
        bool was = _bridge.Dose.ResetFluoroAlarm();
        _logger.LogInformation("fluoro timer alarm reset by the technician (it was {State})", was ? "sounding" : "off");
        return was;
    }

    public async Task ResetFaultAsync(CancellationToken cancellationToken)
    {
        if (!_bridge.Exposure.State.IsFaulted()) throw new StationRefusedException("the exposure controller is not in fault");
        var transition = await _bridge.Exposure.ResetFaultAsync(cancellationToken);
        _logger.LogInformation("fault reset: {Transition}", transition);
    }

    public void RetryOutboxItem(long id, string? destination) => _outbox.Retry(id, destination);

    /// <summary>Hands every object of the closed exam to the outbox; an object the outbox refuses stays in the spool and is logged.</summary>
    private void Publish(OpenExam exam)
    {
        foreach (var item in exam.Objects)
        {
            try
            {
                _outbox.Publish(item.Path, item.SopInstanceUid, item.Description);
            }
            catch (Exception e)
            {
                _logger.LogError("exam {Exam}: {Object} stays in the spool, not published: {Error}", exam.ExamId, item.Path, e.Message);
            }
        }
    }

    private OpenExam RequireExam()
    {
        lock (_gate) return _exam ?? throw new StationRefusedException("no exam is open");
    }

    private AcquisitionProtocol FindProtocol(string name)
    {
        try
        {
            return _protocols.Find(name);
        }
        catch (KeyNotFoundException e)
        {
            throw new StationRefusedException(e.Message);
        }
    }

    /// <summary>Waits for the run to end (pedal released or exposure faulted), then records or fails it. Runs once per run.</summary>
    private async Task<RunView> CloseAsync(ActiveRun run)
    {
        var closing = run.Closing(async () =>
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
            RecordIrradiation(run, result, view);
            _processing.ResendLastImage();
            run.Exam.Add(view);
            lock (_gate)
            {
                if (_run == run) _run = null;
                _lastRun = run;
            }
            _hub.PublishRunEnded(run.Id, view.Frames);
            if (view.State == RunState.Failed) _logger.LogError("run {Number} FAILED: {Failure}", view.Number, view.Failure);
            return view;
        });
        return await closing;
    }

    /// <summary>Every run that delivered pulses goes into the exam's dose report: a stored run with its object, any other
    /// (fluoro, or a run that failed and stored nothing) as an irradiation event without an image.</summary>
    private void RecordIrradiation(ActiveRun run, RunResult result, RunView view)
    {
        if (result.Dose.Pulses == 0) return;
        var stored = run.Exam.Objects.LastOrDefault(o => o.RunNumber == run.Number && o.Recorded is not null);
        if (view.State == RunState.Complete && stored?.Recorded is { } recorded)
        {
            run.Exam.AddIrradiation(new Capture.Workflow.RecordedRun(recorded.Image, result.Dose)
            {
                Protocol = run.Protocol.Name,
                DistanceSourceToDetectorMm = _bridge.Dose.Geometry.SourceImageDistanceCm * 10,
            });
            return;
        }
        var (kv, ma, width) = _telemetry.RunMeans;
        run.Exam.AddIrradiation(new FluoroSequence(run.StartedAt, result.Duration, result.Dose, run.Protocol.Phases[0].PulseRate, kv, ma, width, 0, 0)
        {
            Protocol = run.Protocol.Kind == RunKind.Fluoro ? run.Protocol.Name : $"{run.Protocol.Name} (failed, not stored)",
            Kind = run.Protocol.Kind == RunKind.Fluoro ? Dicom.Iods.Rdsr.IrradiationKind.Fluoroscopy : Dicom.Iods.Rdsr.IrradiationKind.Acquisition,
        });
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
        ActiveRun? run;
        lock (_gate) run = _run;
        if (run is null) return;
        _logger.LogError("exposure ended during run {Number} without a pedal release ({Transition}): closing the run", run.Number, transition);
        run.ClosedBySelf = true;
        run.ReleasePedal();
        _ = CloseAsync(run);
    }

    public void Dispose()
    {
        // Registered as itself and as IStationControl, so the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _bridge.Exposure.Transitioned -= OnExposureTransition;
        _liveTelemetry.Dispose();
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
