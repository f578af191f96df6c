using CathLab.Acquisition.Protocols;
using CathLab.Acquisition.Runs;
using CathLab.FirmwareBridge.Exposure;
using CathLab.Station.Control;

namespace CathLab.Station.Exam;

/// <summary>Where a run is: set up (recorder, processing) → exposing while the pedal is held → ending (the pedal
/// released, or the station closed it) → ended, or failed when it could not be set up.</summary>
public enum RunPhase { Starting, Exposing, Ending, Ended, Failed }

/// <summary>One run from pedal down to its close: its phase, the sequencer's task, the pedal it waits on, and the one close.</summary>
public sealed class ActiveRun(int number, AcquisitionProtocol protocol, OpenExam exam, DateTime startedAt)
{
    private readonly TaskCompletionSource _pedal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private Task<RunView>? _closing;
    private RunPhase _phase = RunPhase.Starting;
    private int _closedByStation;

    public int Number { get; } = number;
    public AcquisitionProtocol Protocol { get; } = protocol;
    public OpenExam Exam { get; } = exam;

    /// <summary>The side of a paired body part: "R", "L", or "" when unknown or not paired.</summary>
    public string Laterality { get; init; } = "";
    public string Id => $"{Exam.ExamId}/run-{Number}";
    public DateTime StartedAt { get; } = startedAt;

    public RunPhase Phase
    {
        get { lock (_gate) return _phase; }
    }

    public Task<RunResult> Completion { get; private set; } = Task.FromException<RunResult>(new InvalidOperationException("the run has not started"));

    /// <summary>Starts exposing until the pedal is released or, when <paramref name="limit"/> (the longest the exposure may
    /// last; null for none) passes first, until the station releases it itself and calls <paramref name="limitReached"/>.</summary>
    public void Start(RunSequencer sequencer, TimeSpan? limit, Action<ActiveRun> limitReached, InputSource source, CancellationToken stopping)
    {
        MoveTo(RunPhase.Exposing);
        Completion = Task.Run(() => sequencer.RunAsync(Protocol, token => PedalHeldAsync(limit, limitReached, token), stopping, source), stopping);
    }

    /// <summary>The run could not be set up (the recorder refused it); it never exposed.</summary>
    public void FailToStart() => MoveTo(RunPhase.Failed);

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

    /// <summary>The station closes the run by itself (its exposure ended without the pedal's release); the pedal's own
    /// release, when it comes, is answered with what the run became.</summary>
    public void CloseByStation()
    {
        Interlocked.Exchange(ref _closedByStation, 1);
        ReleasePedal();
    }

    /// <summary>Takes the pedal release that a run closed by the station still owes: true once, for such a run only.</summary>
    public bool TakeOwedPedalRelease() => Interlocked.Exchange(ref _closedByStation, 0) == 1;

    /// <summary>The run's one close: the first caller's <paramref name="close"/> runs (ending the run), later callers get the same task.</summary>
    public Task<RunView> Closing(Func<Task<RunView>> close)
    {
        TaskCompletionSource<RunView>? first = null;
        Task<RunView> closing;
        lock (_gate)
        {
            if (_closing is null)
            {
                MoveTo(RunPhase.Ending);
                first = new TaskCompletionSource<RunView>(TaskCreationOptions.RunContinuationsAsynchronously);
                _closing = first.Task;
            }
            closing = _closing;
        }
        // The close takes other locks (the run controller's): it runs outside this run's own.
        if (first is not null) _ = CloseOnceAsync(close, first);
        return closing;
    }

    private static async Task CloseOnceAsync(Func<Task<RunView>> close, TaskCompletionSource<RunView> done)
    {
        try
        {
            done.SetResult(await close());
        }
        catch (Exception e)
        {
            done.SetException(e);
        }
    }

    /// <summary>The close is done: the run is ended (stored or not, its view says how).</summary>
    public void Ended() => MoveTo(RunPhase.Ended);

    /// <summary>The run while it exposes: what has been delivered and received so far.</summary>
    public RunView View(int pulses, int frames = 0, double referenceAirKermaMilliGray = 0) =>
        new(Number, Protocol.Name, Protocol.Kind.ToString(), RunState.Exposing, pulses, frames, referenceAirKermaMilliGray, null, null);

    private void MoveTo(RunPhase to)
    {
        lock (_gate)
        {
            bool allowed = (_phase, to) switch
            {
                (RunPhase.Starting, RunPhase.Exposing or RunPhase.Failed or RunPhase.Ending) => true,
                (RunPhase.Exposing, RunPhase.Ending) => true,
                (RunPhase.Ending, RunPhase.Ended) => true,
                _ => false,
            };
            if (!allowed) throw new InvalidOperationException($"run {Number} does not go from {_phase} to {to}");
            _phase = to;
        }
    }
}
