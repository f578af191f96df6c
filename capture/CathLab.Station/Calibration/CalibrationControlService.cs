using CathLab.Security.Audit;
using CathLab.Security.Access;
using CathLab.Station.Control;
using Grpc.Core;
using Proto = CathLab.Station.Protocol;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace CathLab.Station.Calibration;

/// <summary>The gRPC face of <see cref="CalibrationService"/>: technicians only (the live feed's method policy closes
/// every service it does not open to observers). Refusals end FAILED_PRECONDITION with the reason; every call that
/// exposes or changes the calibration is audited.</summary>
public sealed class CalibrationControlService(CalibrationService calibration, IAuditLog audit) : Proto.DetectorCalibration.DetectorCalibrationBase
{
    public override Task<Proto.CalibrationInfo> GetCalibration(Proto.GetCalibrationRequest request, ServerCallContext context) =>
        Task.FromResult(CalibrationReplies.Info(calibration.State));

    public override Task<Proto.CalibrateReply> Calibrate(Proto.CalibrateRequest request, ServerCallContext context) =>
        Act(context, "calibrate", async ct =>
        {
            var outcome = await calibration.CalibrateAsync(ct);
            return new Proto.CalibrateReply
            {
                Calibration = CalibrationReplies.Info(calibration.State),
                Seconds = outcome.Took.TotalSeconds,
                ExposureSeconds = outcome.ExposureTook.TotalSeconds,
            };
        });

    public override Task<Proto.RefreshOffsetReply> RefreshOffset(Proto.RefreshOffsetRequest request, ServerCallContext context) =>
        Act(context, "refresh-offset", async ct =>
        {
            await calibration.RefreshOffsetAsync(ct);
            var last = calibration.LastOffsetRefresh!.Value;
            return new Proto.RefreshOffsetReply { Seconds = last.Took.TotalSeconds, OffsetAt = Timestamp.FromDateTimeOffset(last.At) };
        });

    public override Task<Proto.ConstancyCheck> CheckConstancy(Proto.CheckConstancyRequest request, ServerCallContext context) =>
        Act(context, "check-constancy", async ct => CalibrationReplies.Check(await calibration.CheckConstancyAsync(ct)));

    public override Task<Proto.ListConstancyHistoryReply> ListConstancyHistory(Proto.ListConstancyHistoryRequest request, ServerCallContext context)
    {
        var reply = new Proto.ListConstancyHistoryReply();
        foreach (var result in calibration.History) reply.Checks.Add(CalibrationReplies.Check(result));
        return Task.FromResult(reply);
    }

    private async Task<T> Act<T>(ServerCallContext context, string action, Func<CancellationToken, Task<T>> call)
    {
        try
        {
            var reply = await call(context.CancellationToken);
            Record(context, action, "OK", null);
            return reply;
        }
        catch (StationRefusedException e)
        {
            Record(context, action, StatusCode.FailedPrecondition.ToString(), e.Message);
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
    }

    private void Record(ServerCallContext context, string action, string outcome, string? detail)
    {
        var caller = AuthInterceptor.CallerOf(context);
        audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, action, outcome, null, caller.Role.ToString(), context.Peer, "grpc", Detail: detail));
    }
}
