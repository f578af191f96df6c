using CathLab.Capture.Acquisition;
using CathLab.Station.Control;

namespace CathLab.Station.Exam;

/// <summary>Counts of what publishing holds.</summary>
public readonly record struct OutboxCounts(int Pending, int Committed, int Failed);

/// <summary>Turns runs into stored objects and hands them to publishing.</summary>
public sealed class RunPublisher
{
    public int FramesRecorded => 0;

    public OutboxCounts Counts => default;

    public IReadOnlyList<OutboxItemView> Items => [];

    public void BeginRun(ActiveRun run)
    {
    }

    public Task<RunView> EndRunAsync(ActiveRun run, RunResult result)
    {
        var state = result.Complete ? RunState.Complete : RunState.Failed;
        return Task.FromResult(new RunView(run.Number, run.Protocol.Name, run.Protocol.Kind.ToString(), state, result.Pulses, (int)result.FramesReceived,
            result.AirKermaMilliGray, null, result.Failure));
    }

    public Task<RunView> SaveLastFluoroAsync(OpenExam exam, double seconds, CancellationToken cancellationToken) =>
        throw new StationRefusedException("saving fluoro is not available");

    public Task<RunView> RemaskAsync(OpenExam exam, int runNumber, IReadOnlyList<int> maskFrames, CancellationToken cancellationToken) =>
        throw new StationRefusedException("remask is not available");

    public void Retry(long id, string? destination) => throw new StationRefusedException($"no outbox item {id}");
}
