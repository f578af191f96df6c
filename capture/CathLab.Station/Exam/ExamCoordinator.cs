using CathLab.Acquisition.Protocols;
using CathLab.FirmwareBridge.Exposure;
using CathLab.Station.Control;

namespace CathLab.Station.Exam;

/// <summary>The station as the technician drives it (<see cref="IStationControl"/>): each call goes to the part whose
/// job it is (the exam session, the run controller, the worklist, publishing, the status read-model); this class only
/// orders them where one call touches several, as the end of an exam does.</summary>
public sealed class ExamCoordinator(ExamSession session, RunController runs, ProtocolSelection protocols, WorklistCache worklist,
    ExamPublisher publisher, StationStatusReader status, OutboxService outbox, GeneratorResets resets) : IStationControl
{
    public IReadOnlyList<AcquisitionProtocol> Protocols => protocols.All;

    public StationStatus Status => status.Read();

    public IReadOnlyList<OutboxItemView> Outbox => outbox.Items;

    public Task<IReadOnlyList<WorklistEntryView>> QueryWorklistAsync(WorklistQuery query, CancellationToken cancellationToken) =>
        worklist.QueryAsync(query, cancellationToken);

    public Task<ExamView> StartExamAsync(ExamRequest request, CancellationToken cancellationToken)
    {
        var item = request.WorklistItemId is { } id ? worklist.Find(id) : null;
        return Task.FromResult(session.Start(request, item).View(open: true));
    }

    public async Task<ExamView> EndExamAsync(ExamEnd end, CancellationToken cancellationToken)
    {
        var exam = session.BeginClose();
        if (runs.InProgressRun is not null) await PedalUpAsync(cancellationToken);
        var closed = session.Close(exam);
        await publisher.PublishAsync(exam, end);
        return closed;
    }

    public void SelectProtocol(string name, string laterality = "")
    {
        var protocol = protocols.Find(name);
        var side = RunSide.For(protocol, laterality);
        runs.RefuseWhileInProgress("a run is exposing: release the pedal before changing the protocol");
        protocols.Select(protocol, side);
    }

    public Task<RunView> PedalDownAsync(string? protocolName, CancellationToken cancellationToken, string? laterality = null, InputSource source = InputSource.HardwarePedal)
    {
        var named = protocolName is null ? null : protocols.Find(protocolName);
        runs.RequireExposable();
        var exam = session.Require("no exam is open: start an exam (or an emergency exam) first");
        var (selected, selectedSide) = protocols.Selected;
        var protocol = named ?? selected;
        var side = RunSide.For(protocol, laterality ?? (protocol == selected ? selectedSide : ""));
        return Task.FromResult(runs.Start(exam, protocol, side, source));
    }

    public Task<RunView> PedalUpAsync(CancellationToken cancellationToken, InputSource source = InputSource.HardwarePedal, string? why = null) =>
        runs.PedalUpAsync(source, why ?? "pedal released");

    public Task<RunView> SaveLastFluoroAsync(double seconds, CancellationToken cancellationToken) =>
        Task.FromResult(runs.SaveLastFluoro(session.Require(), seconds));

    public Task<RunView> RemaskAsync(int runNumber, IReadOnlyList<int> maskFrames, CancellationToken cancellationToken) =>
        Task.FromResult(runs.Remask(session.Require(), runNumber, maskFrames));

    public bool ResetFluoroTimer() => resets.ResetFluoroTimer();

    public Task ResetFaultAsync(CancellationToken cancellationToken) => resets.ResetFaultAsync(cancellationToken);

    public void RetryOutboxItem(long id, string? destination) => outbox.Retry(id, destination);
}
