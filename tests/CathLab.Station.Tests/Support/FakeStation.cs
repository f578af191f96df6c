using System.Collections.Concurrent;
using CathLab.Acquisition.Protocols;
using CathLab.FirmwareBridge.Exposure;
using CathLab.Publishing.Journal;
using CathLab.Station.Control;

namespace CathLab.Station.Tests.Support;

/// <summary>A test double of <see cref="IStationControl"/> for the API layer only: it records what it was asked and
/// answers with what the test set. The real station behind the interface is covered by the station's own tests.</summary>
internal sealed class FakeStation : IStationControl, IExposurePresses
{
    private ExposurePress? _press;

    /// <summary>Watched by the held pedal call before it presses; <see cref="EndPress"/> ends it as the station's
    /// exposure controller would.</summary>
    public ExposurePress WatchNextPress(InputSource source) => _press = new ExposurePress(source, p => Interlocked.CompareExchange(ref _press, null, p));

    /// <summary>The station ends the press by itself (a fault, the maximum hold, the run's length limit).</summary>
    public void EndPress(string reason) => _press?.End(reason);

    public static readonly ExamView OpenExam = new("EX-7", "1.2.826.0.1.3680043.10.543.7", "DOE^JANE", "PID-42", "ACC-9", false, true, 2);

    public static readonly RunView CineRun = new(3, "cine-15", "Cine", RunState.Complete, 75, 75, 12.345, "/archive/EX-7/run3.dcm", null);

    public static readonly IReadOnlyList<AcquisitionProtocol> DefaultProtocols =
    [
        new("fluoro-7.5", "low-dose positioning", RunKind.Fluoro, [new AcquisitionPhase("live", 7.5)]),
        new("fluoro-15", "standard fluoro", RunKind.Fluoro, [new AcquisitionPhase("live", 15)]),
        new("cine-15", "coronary cine", RunKind.Cine, [new AcquisitionPhase("cine", 15, TimeSpan.FromSeconds(5))]),
        new("dsa-peripheral", "peripheral DSA", RunKind.Dsa,
            [new AcquisitionPhase("arterial", 4, TimeSpan.FromSeconds(6)), new AcquisitionPhase("venous", 1)], MaskFrames: 3),
    ];

    public static readonly StationStatus Idle = new("Idle", "fluoro-15", OpenExam, CineRun, 72.5, 8.25, 6, 15, 14.2, 35.125, 4.2,
        TimeSpan.FromSeconds(312), true, 23, 420, 2, 5, 1, "tube warm", true);

    private readonly ConcurrentQueue<string> _calls = new();

    public StationStatus Status { get; set; } = Idle;

    public IReadOnlyList<AcquisitionProtocol> Protocols { get; set; } = DefaultProtocols;

    public IReadOnlyList<OutboxItemView> Outbox { get; set; } =
    [
        new(12, "1.2.3.4.12", "run 3 cine-15", "PACS1", DeliveryState.Failed, 4, "association rejected", new DateTimeOffset(2026, 11, 24, 12, 0, 5, TimeSpan.Zero)),
        new(11, "1.2.3.4.11", "run 2 cine-15", "PACS1", DeliveryState.Committed, 1, null, new DateTimeOffset(2026, 11, 24, 11, 59, 0, TimeSpan.Zero)),
    ];

    /// <summary>Thrown by the next call that would change something, then cleared.</summary>
    public Exception? Refuse { get; set; }

    /// <summary>Runs when the pedal is pressed (a test uses it to interrupt a hold).</summary>
    public Action? OnPedalDown { get; set; }

    public RunView NextRun { get; set; } = CineRun;

    public ExamRequest? StartedWith { get; private set; }

    public ExamEnd? EndedWith { get; private set; }

    public string? Selected { get; private set; }

    public string? PressedWith { get; private set; }

    public string? SelectedSide { get; private set; }

    public string? PressedSide { get; private set; }

    public double SavedSeconds { get; private set; }

    public (int Run, IReadOnlyList<int> Frames)? Remasked { get; private set; }

    public (long Id, string? Destination)? Retried { get; private set; }

    public IReadOnlyList<string> Calls => [.. _calls];

    public IReadOnlyList<WorklistEntryView> Worklist { get; set; } =
    [
        new("SPS-1", "DOE^JANE", "P-1", "ACC-1", "Coronary angiography", new DateTime(2026, 11, 24, 9, 0, 0), "1.2.3.4"),
    ];

    public WorklistQuery? QueriedWith { get; private set; }

    public Task<IReadOnlyList<WorklistEntryView>> QueryWorklistAsync(WorklistQuery query, CancellationToken cancellationToken)
    {
        Called("query-worklist");
        QueriedWith = query;
        return Task.FromResult(Worklist);
    }

    public Task<ExamView> StartExamAsync(ExamRequest request, CancellationToken cancellationToken)
    {
        Called("start-exam");
        StartedWith = request;
        return Task.FromResult(OpenExam with { PatientName = request.PatientName, PatientId = request.PatientId, AccessionNumber = request.AccessionNumber, RecordedRuns = 0 });
    }

    public Task<ExamView> EndExamAsync(ExamEnd end, CancellationToken cancellationToken)
    {
        Called("end-exam");
        EndedWith = end;
        return Task.FromResult(OpenExam with { Open = false });
    }

    public void SelectProtocol(string name, string laterality = "")
    {
        Called("select-protocol");
        Selected = name;
        SelectedSide = laterality;
    }

    public Task<RunView> PedalDownAsync(string? protocol, CancellationToken cancellationToken, string? laterality = null, InputSource source = InputSource.HardwarePedal)
    {
        Called("pedal-down");
        PressedWith = protocol;
        PressedSide = laterality;
        PressedFrom = source;
        OnPedalDown?.Invoke();
        var run = NextRun with { Protocol = protocol ?? Status.SelectedProtocol ?? "", State = RunState.Exposing, Pulses = 0, Frames = 0, ObjectPath = null };
        Status = Status with { CurrentRun = run };
        return Task.FromResult(run);
    }

    /// <summary>Completes with the reason of the first pedal release.</summary>
    public TaskCompletionSource<string?> Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Where the last press came from.</summary>
    public InputSource? PressedFrom { get; private set; }

    /// <summary>How the last release came about (released, stream ended, lease expired, connection lost).</summary>
    public string? ReleasedBecause { get; private set; }

    public Task<RunView> PedalUpAsync(CancellationToken cancellationToken, InputSource source = InputSource.HardwarePedal, string? why = null)
    {
        Called("pedal-up");
        ReleasedBecause = why;
        Status = Status with { CurrentRun = NextRun };
        Released.TrySetResult(why);
        return Task.FromResult(NextRun with { Protocol = PressedWith ?? NextRun.Protocol });
    }

    public Task<RunView> SaveLastFluoroAsync(double seconds, CancellationToken cancellationToken)
    {
        Called("save-last-fluoro");
        SavedSeconds = seconds;
        return Task.FromResult(NextRun);
    }

    public Task<RunView> RemaskAsync(int runNumber, IReadOnlyList<int> maskFrames, CancellationToken cancellationToken)
    {
        Called("remask");
        Remasked = (runNumber, maskFrames);
        return Task.FromResult(NextRun with { Number = runNumber });
    }

    public bool ResetFluoroTimer()
    {
        Called("reset-fluoro-timer");
        return Status.FluoroAlert;
    }

    public Task ResetFaultAsync(CancellationToken cancellationToken)
    {
        Called("reset-fault");
        return Task.CompletedTask;
    }

    public void RetryOutboxItem(long id, string? destination)
    {
        Called("retry-outbox-item");
        Retried = (id, destination);
    }

    private void Called(string name)
    {
        _calls.Enqueue(name);
        if (Refuse is { } refusal)
        {
            Refuse = null;
            throw refusal;
        }
    }
}
