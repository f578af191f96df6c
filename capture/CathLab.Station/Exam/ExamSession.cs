using CathLab.FirmwareBridge;
using CathLab.Station.Control;
using CathLab.Workflow.Patients;
using CathLab.Workflow.ProcedureStep;
using CathLab.Workflow.Worklist;

namespace CathLab.Station.Exam;

/// <summary>The one exam of the station and its lifecycle: no exam yet → open → closing (its last run ends, its
/// objects are handed over) → closed, and from closed (or none) a new exam opens. Only an open exam takes runs.</summary>
public sealed class ExamSession(GeneratorBridge bridge, IExamEvents events, TimeProvider time, ILogger<ExamSession> logger)
{
    private readonly Lock _gate = new();
    private ExamState _state = new NoExam();

    /// <summary>The station's exam state: each is one of the records below, and only <see cref="Move"/> changes it.</summary>
    private abstract record ExamState;

    private sealed record NoExam : ExamState;

    private sealed record Open(OpenExam Exam) : ExamState;

    private sealed record Closing(OpenExam Exam) : ExamState;

    private sealed record Closed(ExamView Last) : ExamState;

    /// <summary>The open exam, or null when none is open (none yet, closing or closed).</summary>
    public OpenExam? Current
    {
        get { lock (_gate) return _state is Open open ? open.Exam : null; }
    }

    /// <summary>What the status line shows: the open exam, else the one closing or closed last (absent before the first).</summary>
    public ExamView? View
    {
        get
        {
            ExamState state;
            lock (_gate) state = _state;
            return state switch
            {
                Open open => open.Exam.View(open: true),
                Closing closing => closing.Exam.View(open: false),
                Closed closed => closed.Last,
                _ => null,
            };
        }
    }

    /// <summary>The open exam; refused with <paramref name="refusal"/> when none is open.</summary>
    public OpenExam Require(string refusal = "no exam is open") => Current ?? throw new StationRefusedException(refusal);

    /// <summary>Opens an exam for <paramref name="request"/> (from <paramref name="item"/> when it names a worklist entry).</summary>
    public OpenExam Start(ExamRequest request, WorklistItem? item)
    {
        var now = time.GetLocalNow().DateTime;
        var (patient, study, emergency, _) = ExamOrder.For(request, item, now);
        OpenExam exam;
        lock (_gate)
        {
            if (_state is Open { Exam: var open }) throw new StationRefusedException($"exam {open.ExamId} is open: end it before starting another");
            if (_state is Closing { Exam: var closing }) throw new StationRefusedException($"exam {closing.ExamId} is closing: start the next one after it");
            exam = new OpenExam(ExamIdentity.New(now), patient, study, emergency) { WorklistItem = item };
            Move(new Open(exam));
        }
        bridge.Dose.StartExam();
        events.ExamOpened(exam.ExamId);
        logger.LogInformation("exam {Exam} started for {Patient} ({Id}){Emergency}, study {Study}", exam.ExamId, patient.Name, patient.Id,
            emergency ? " as an EMERGENCY patient to reconcile" : "", study.InstanceUid);
        return exam;
    }

    /// <summary>Takes the open exam out of use: no run starts in it from here on.</summary>
    public OpenExam BeginClose()
    {
        lock (_gate)
        {
            if (_state is not Open { Exam: var exam }) throw new StationRefusedException("no exam is open");
            Move(new Closing(exam));
            return exam;
        }
    }

    /// <summary>The exam's runs have ended; its followers are told it ended, before its objects are published.</summary>
    public ExamView Close(OpenExam exam)
    {
        var view = exam.View(open: false);
        lock (_gate)
        {
            if (_state is not Closing closing || closing.Exam != exam) throw new InvalidOperationException($"exam {exam.ExamId} is not closing");
            Move(new Closed(view));
        }
        events.ExamEnded(exam.ExamId);
        return view;
    }

    private void Move(ExamState to)
    {
        bool allowed = (_state, to) switch
        {
            (NoExam or Closed, Open) => true,
            (Open, Closing) => true,
            (Closing, Closed) => true,
            _ => false,
        };
        if (!allowed) throw new InvalidOperationException($"an exam does not go from {_state.GetType().Name} to {to.GetType().Name}");
        _state = to;
    }
}
