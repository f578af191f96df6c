using CathLab.Contracts;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Frames;

namespace CathLab.LiveFeed.Sessions;

/// <summary>The open exam's events: offered to every subscriber of that exam, and the current run, technique and dose
/// kept so that a subscriber joining later is given them first.</summary>
internal sealed class ExamEventFeed(OpenExam exam)
{
    private const int RunState = 0;
    private const int TechniqueState = 1;
    private const int DoseState = 2;
    private const int NoState = -1;
    private readonly object _gate = new();
    private readonly ExamEvent?[] _current = new ExamEvent?[3];
    private EventSubscription[] _subscribers = [];

    /// <summary>Adds a subscriber; when it watches the open exam it first receives the current run, technique and dose.</summary>
    public void Subscribe(EventSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscription];
            if (subscription.ExamId != exam.ExamId) return;
            foreach (var e in _current)
            {
                if (e is not null) subscription.Offer(e);
            }
        }
    }

    public void Unsubscribe(EventSubscription subscription)
    {
        lock (_gate) _subscribers = _subscribers.Where(s => s != subscription).ToArray();
    }

    /// <summary>A new exam starts with no run, technique or dose.</summary>
    public void ForgetState()
    {
        lock (_gate) Array.Clear(_current);
    }

    public void RunStarted(string runId, string kind, double frameRate) =>
        Publish(new ExamEvent { RunStarted = new RunStarted { RunId = runId, Kind = kind, FrameRate = (float)frameRate } }, RunState);

    public void RunEnded(string runId, int frames) =>
        Publish(new ExamEvent { RunEnded = new RunEnded { RunId = runId, Frames = (uint)frames } }, RunState);

    public void Technique(double kv, double ma, double pulseWidthMs, double pulseRate) =>
        Publish(new ExamEvent { Technique = new TechniqueChanged { Kv = (float)kv, Ma = (float)ma, PulseWidthMs = (float)pulseWidthMs, PulseRate = (float)pulseRate } }, TechniqueState);

    public void Dose(double referenceAirKermaMilligray, double doseAreaProductGycm2, double fluoroTimeSeconds) =>
        Publish(new ExamEvent { Dose = new DoseUpdate { ReferenceAirKermaMgy = referenceAirKermaMilligray, DoseAreaProductGycm2 = doseAreaProductGycm2, FluoroTimeS = fluoroTimeSeconds } }, DoseState);

    public void ExamEnded() => Publish(new ExamEvent { ExamEnded = new ExamEnded() }, NoState);

    private void Publish(ExamEvent examEvent, int stateIndex)
    {
        string examId = exam.ExamId;
        if (examId.Length == 0) return;
        examEvent.ExamId = examId;
        examEvent.AtUnixUs = UnixClock.NowMicroseconds();
        lock (_gate)
        {
            if (stateIndex != NoState) _current[stateIndex] = examEvent;
            if (examEvent.RunEnded is not null) _current[RunState] = null;
        }
        foreach (var s in Volatile.Read(ref _subscribers)) s.Offer(examEvent);
    }
}
