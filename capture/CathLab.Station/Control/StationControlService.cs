using CathLab.FirmwareBridge.Exposure;
using CathLab.Security.Access;
using CathLab.Security.Audit;
using Grpc.Core;
using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Control;

/// <summary>The gRPC face of <see cref="IStationControl"/>: checks each request (INVALID_ARGUMENT before the station
/// is asked), calls the station, and maps its refusals (FAILED_PRECONDITION with the reason) and lookups that find
/// nothing (NOT_FOUND). Only technicians get here: the live feed's <see cref="AuthInterceptor"/> guards every gRPC
/// service of the host and opens nothing of this one to observers. Every call that changes something is audited.</summary>
public sealed class StationControlService(IStationControl station, IExposurePresses presses, IAuditLog audit, PedalLease lease, TimeProvider time, Acquisition.Calibration.CalibrationState? calibration = null)
    : Proto.StationControl.StationControlBase
{
    public override Task<Proto.StatusReply> GetStatus(Proto.GetStatusRequest request, ServerCallContext context) =>
        Task.FromResult(Status());

    private Proto.StatusReply Status()
    {
        var reply = ControlReplies.Status(station.Status);
        if (calibration?.Warning is { } warning) reply.CalibrationWarning = warning;
        return reply;
    }

    public override async Task WatchStatus(Proto.WatchStatusRequest request, IServerStreamWriter<Proto.StatusReply> responseStream, ServerCallContext context)
    {
        Check(context, "watch-status", ControlRequestRules.Problem(request));
        var interval = TimeSpan.FromSeconds(request.IntervalSeconds == 0 ? ControlRequestRules.DefaultWatchIntervalSeconds : request.IntervalSeconds);
        using var ticks = new PeriodicTimer(interval);
        try
        {
            do
            {
                await responseStream.WriteAsync(Status(), context.CancellationToken);
            }
            while (await ticks.WaitForNextTickAsync(context.CancellationToken));
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client stopped watching: the normal end of this call.
        }
    }

    public override Task<Proto.ListProtocolsReply> ListProtocols(Proto.ListProtocolsRequest request, ServerCallContext context)
    {
        var reply = new Proto.ListProtocolsReply();
        foreach (var p in station.Protocols) reply.Protocols.Add(ControlReplies.Protocol(p));
        return Task.FromResult(reply);
    }

    public override Task<Proto.QueryWorklistReply> QueryWorklist(Proto.QueryWorklistRequest request, ServerCallContext context)
    {
        Check(context, "query-worklist", ControlRequestRules.Problem(request));
        var query = new WorklistQuery(
            request.Date.Length == 0 ? null : DateOnly.ParseExact(request.Date, "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture),
            request.PatientName.Length == 0 ? null : request.PatientName.Trim(),
            request.PatientId.Length == 0 ? null : request.PatientId.Trim());
        return Act(context, "query-worklist", async ct =>
        {
            var reply = new Proto.QueryWorklistReply();
            foreach (var e in await station.QueryWorklistAsync(query, ct)) reply.Entries.Add(ControlReplies.WorklistEntry(e));
            return reply;
        });
    }

    public override Task<Proto.ExamInfo> StartExam(Proto.StartExamRequest request, ServerCallContext context)
    {
        Check(context, "start-exam", ControlRequestRules.Problem(request));
        var exam = new ExamRequest(request.PatientName.Trim(), request.PatientId.Trim(), request.AccessionNumber.Trim(), request.StudyDescription.Trim(),
            request.HasWorklistItemId ? request.WorklistItemId : null);
        return Act(context, "start-exam", async ct => ControlReplies.Exam(await station.StartExamAsync(exam, ct)));
    }

    public override Task<Proto.ExamInfo> EndExam(Proto.EndExamRequest request, ServerCallContext context)
    {
        Check(context, "end-exam", ControlRequestRules.Problem(request));
        var end = new ExamEnd(request.Discontinued, request.Reason.Trim());
        return Act(context, "end-exam", async ct => ControlReplies.Exam(await station.EndExamAsync(end, ct)),
            request.Discontinued ? $"discontinued: {request.Reason}" : null);
    }

    public override Task<Proto.SelectProtocolReply> SelectProtocol(Proto.SelectProtocolRequest request, ServerCallContext context)
    {
        Check(context, "select-protocol", ControlRequestRules.Problem(request));
        return Act(context, "select-protocol", _ =>
        {
            station.SelectProtocol(request.Name, request.Laterality);
            return Task.FromResult(new Proto.SelectProtocolReply { Selected = station.Status.SelectedProtocol ?? request.Name });
        }, request.Laterality.Length > 0 ? $"{request.Name} side {request.Laterality}" : request.Name);
    }

    public override Task HoldPedal(IAsyncStreamReader<Proto.PedalHoldRequest> requestStream, IServerStreamWriter<Proto.PedalHoldReply> responseStream, ServerCallContext context) =>
        new HeldPedalCall(station, presses, lease, time).RunAsync(requestStream, responseStream, context.CancellationToken,
            (action, outcome, detail) => Record(context, action, outcome, detail));

    public override Task<Proto.RunInfo> SaveLastFluoro(Proto.SaveLastFluoroRequest request, ServerCallContext context)
    {
        Check(context, "save-last-fluoro", ControlRequestRules.Problem(request));
        return Act(context, "save-last-fluoro", async ct => ControlReplies.Run(await station.SaveLastFluoroAsync(request.Seconds, ct)), $"{request.Seconds} s");
    }

    public override Task<Proto.RunInfo> Remask(Proto.RemaskRequest request, ServerCallContext context)
    {
        Check(context, "remask", ControlRequestRules.Problem(request));
        int[] frames = [.. request.MaskFrames];
        return Act(context, "remask", async ct => ControlReplies.Run(await station.RemaskAsync(request.RunNumber, frames, ct)),
            $"run {request.RunNumber} mask {string.Join(',', frames)}");
    }

    public override Task<Proto.ResetFaultReply> ResetFault(Proto.ResetFaultRequest request, ServerCallContext context) =>
        Act(context, "reset-fault", async ct =>
        {
            await station.ResetFaultAsync(ct);
            return new Proto.ResetFaultReply();
        });

    public override Task<Proto.ResetFluoroTimerReply> ResetFluoroTimer(Proto.ResetFluoroTimerRequest request, ServerCallContext context) =>
        Act(context, "reset-fluoro-timer", _ => Task.FromResult(new Proto.ResetFluoroTimerReply { WasSounding = station.ResetFluoroTimer() }));

    public override Task<Proto.ListOutboxReply> ListOutbox(Proto.ListOutboxRequest request, ServerCallContext context)
    {
        var reply = new Proto.ListOutboxReply();
        foreach (var item in station.Outbox) reply.Items.Add(ControlReplies.OutboxItem(item));
        return Task.FromResult(reply);
    }

    public override Task<Proto.RetryOutboxItemReply> RetryOutboxItem(Proto.RetryOutboxItemRequest request, ServerCallContext context)
    {
        Check(context, "retry-outbox-item", ControlRequestRules.Problem(request));
        string? destination = request.HasDestination ? request.Destination.Trim() : null;
        return Act(context, "retry-outbox-item", _ =>
        {
            station.RetryOutboxItem(request.Id, destination);
            return Task.FromResult(new Proto.RetryOutboxItemReply());
        }, $"item {request.Id}{(destination is null ? "" : " to " + destination)}");
    }

    private void Check(ServerCallContext context, string action, string? problem)
    {
        if (problem is not null) throw Refuse(context, action, StatusCode.InvalidArgument, problem);
    }

    private async Task<T> Act<T>(ServerCallContext context, string action, Func<CancellationToken, Task<T>> call, string? detail = null)
    {
        T reply;
        try
        {
            reply = await call(context.CancellationToken);
        }
        catch (Exception e) when (ControlFailures.StatusOf(e) is { } status)
        {
            throw Refuse(context, action, status, e.Message);
        }
        Record(context, action, "OK", detail);
        return reply;
    }

    private RpcException Refuse(ServerCallContext context, string action, StatusCode status, string why)
    {
        Record(context, action, status.ToString(), why);
        return new RpcException(new Status(status, why));
    }

    private void Record(ServerCallContext context, string action, string outcome, string? detail)
    {
        var caller = AuthInterceptor.CallerOf(context);
        audit.Record(new AuditRecord(time.GetUtcNow(), caller.Subject, action, outcome, station.Status.Exam?.ExamId, caller.Role.ToString(), context.Peer, AuthInterceptor.TransportOf(context), Detail: detail));
    }
}
