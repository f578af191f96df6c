using CathLab.FirmwareBridge.Exposure;
using CathLab.Capture.Acquisition;
using CathLab.Station.Control;

namespace CathLab.Station.Exam;

/// <summary>One run from pedal down to its close: the sequencer's task, the pedal it waits on, and the one close.</summary>
public sealed class ActiveRun(int number, AcquisitionProtocol protocol, OpenExam exam)
{
    private readonly TaskCompletionSource _pedal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private Task<RunView>? _closing;

    public int Number { get; } = number;
    public AcquisitionProtocol Protocol { get; } = protocol;
    public OpenExam Exam { get; } = exam;

    /// <summary>The side of a paired body part: "R", "L", or "" when unknown or not paired.</summary>
    public string Laterality { get; init; } = "";
    public string Id => $"{Exam.ExamId}/run-{Number}";
    public DateTime StartedAt { get; } = DateTime.Now;
    /// <summary>The station closed the run (an exposure fault) before the pedal was released.</summary>
    public bool ClosedBySelf { get; set; }

    public Task<RunResult> Completion { get; private set; } = Task.FromException<RunResult>(new InvalidOperationException("the run has not started"));

    /// <summary>Starts exposing until the pedal is released or, when <paramref name="limit"/> (the longest the exposure may
    /// last; null for none) passes first, until the station releases it itself and calls <paramref name="limitReached"/>.</summary>
    public void Start(RunSequencer sequencer, TimeSpan? limit, Action<ActiveRun> limitReached, InputSource source, CancellationToken stopping) =>
        Completion = Task.Run(() => sequencer.RunAsync(Protocol, token => PedalHeldAsync(limit, limitReached, token), stopping, source), stopping);

    private async Task PedalHeldAsync(TimeSpan? limit, Action<ActiveRun> limitReached, CancellationToken token)
    {
        if (limit is null)
        {
            await _pedal.Task.WaitAsync(token);
            return;
        }
        try
        {
            await _pedal.Task.WaitAsync(limit.Value, token);
        }
        catch (TimeoutException)
        {
            limitReached(this);
        }
    }

    public void ReleasePedal() => _pedal.TrySetResult();

    /// <summary>The run's one close: the first caller's <paramref name="close"/> runs, later callers get the same task.</summary>
    public Task<RunView> Closing(Func<Task<RunView>> close)
    {
        lock (_gate) return _closing ??= close();
    }

    /// <summary>The run while it exposes: what has been delivered and received so far.</summary>
    public RunView View(int pulses, int frames = 0, double referenceAirKermaMilliGray = 0) =>
        new(Number, Protocol.Name, Protocol.Kind.ToString(), RunState.Exposing, pulses, frames, referenceAirKermaMilliGray, null, null);
}
