using CathLab.Dicom.IO;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Review;
using CathLab.LiveFeed.Sessions;
using CathLab.Security.Access;
using CathLab.Security.Audit;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace CathLab.LiveFeed.Services;

/// <summary>The recorded-run calls of the observers' service: the run list, a frame of a run at full quality, and
/// review (a run played through an observer session). Guarded and audited like the watch: who listed, reviewed and
/// fetched which run. A bad later request on a review stream (unknown run, frame out of range) or a damaged frame is
/// answered with a ReviewStatus "error" and the session stays up; a malformed message ends the call (INVALID_ARGUMENT).</summary>
public sealed class RecordedRunCalls(RecordedRunLibrary library, IAuditLog audit, ILogger<RecordedRunCalls> logger)
{
    private readonly TimeProvider _time = TimeProvider.System;

    public Task<ListRecordedRunsReply> ListAsync(ListRecordedRunsRequest request, ServerCallContext context)
    {
        var caller = Admit(context, request.ExamId);
        var reply = new ListRecordedRunsReply();
        reply.Runs.AddRange(library.List(request.ExamId, (int)Math.Min(request.ThumbnailWidth, int.MaxValue)));
        Audit(context, caller, "list-runs", request.ExamId, $"{reply.Runs.Count} runs");
        return Task.FromResult(reply);
    }

    public Task<FetchedFrame> FetchAsync(FetchFrameRequest request, ServerCallContext context)
    {
        var caller = Admit(context, request.ExamId);
        var entry = library.Find(request.ExamId, request.RunId)
            ?? throw CallRefusal.Refuse(audit, context, caller, request.ExamId, StatusCode.NotFound, $"exam {request.ExamId} has no recorded run {request.RunId}");
        FetchedFrame frame;
        try
        {
            frame = library.FetchLossless(entry, (long)Math.Min(request.FrameNumber, long.MaxValue));
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw CallRefusal.Refuse(audit, context, caller, request.ExamId, StatusCode.OutOfRange, $"run {request.RunId} has no frame {request.FrameNumber}: {FirstLine(e.Message)}");
        }
        catch (Exception e) when (e is DicomFormatException or IOException or NotSupportedException)
        {
            throw CallRefusal.Refuse(audit, context, caller, request.ExamId, StatusCode.DataLoss, $"run {request.RunId} frame {request.FrameNumber} cannot be read: {e.Message}");
        }
        Audit(context, caller, "fetch-lossless", request.ExamId, $"run {request.RunId} frame {request.FrameNumber}");
        return Task.FromResult(frame);
    }

    public async Task ReviewAsync(IAsyncStreamReader<ReviewMessage> requests, IServerStreamWriter<LiveMessage> responses, ServerCallContext context)
    {
        var caller = AuthInterceptor.CallerOf(context);
        bool any;
        try
        {
            any = await NextAsync(requests, context.CancellationToken);
        }
        catch (RpcException bad)
        {
            throw CallRefusal.Refuse(audit, context, caller, null, bad.StatusCode, bad.Status.Detail);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            logger.LogInformation("observer {Peer} hung up before its ReviewRequest", context.Peer);
            return;
        }
        if (!any || requests.Current.KindCase != ReviewMessage.KindOneofCase.Review)
            throw CallRefusal.Refuse(audit, context, caller, null, StatusCode.InvalidArgument, "the first message must be a ReviewRequest");
        var request = requests.Current.Review;
        if (ReviewRequestValidator.Problem(request) is { } problem) throw CallRefusal.Refuse(audit, context, caller, request.ExamId, StatusCode.InvalidArgument, problem);
        if (!caller.MayWatch(request.ExamId)) throw CallRefusal.Refuse(audit, context, caller, request.ExamId, StatusCode.PermissionDenied, "the token does not allow this exam");
        var entry = library.Find(request.ExamId, request.RunId)
            ?? throw CallRefusal.Refuse(audit, context, caller, request.ExamId, StatusCode.NotFound, $"exam {request.ExamId} has no recorded run {request.RunId}");

        using var player = new ReviewPlayer(request.ExamId, _time);
        var session = new ObserverSession(player, caller, request.ExamId, request.BestTier, 0, "grpc", context.Peer);
        player.Attach(session);
        player.Request(request, entry);
        Audit(context, caller, "review-start", request.ExamId, $"session {session.Id}, run {request.RunId} from frame {Math.Max(1u, request.StartFrame)} at {(request.Fps > 0 ? $"{request.Fps} fps" : "the acquired rate")}, client {request.ClientName}");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, session.Stopping);
        string outcome = "OK";
        try
        {
            outcome = await GrpcSessionLoops.RunAsync(context, logger, session, stop, session.RunWriterAsync(new GrpcObserverTransport(responses), stop.Token),
                ReadReviewMessagesAsync(requests, context, caller, session, player, stop.Token), player.RunAsync(stop.Token));
        }
        catch (RpcException e)
        {
            outcome = e.StatusCode.ToString();
            throw;
        }
        finally
        {
            audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, "review-end", outcome, request.ExamId, caller.Role.ToString(), context.Peer, "grpc",
                (DateTimeOffset.UtcNow - session.StartedAt).TotalSeconds,
                $"session {session.Id}, frames played {player.FramesPlayed}, sent {session.FramesSent}, lost {session.FramesLost}, skipped {session.FramesSkipped}"));
        }
    }

    private async Task ReadReviewMessagesAsync(IAsyncStreamReader<ReviewMessage> requests, ServerCallContext context, CallerIdentity caller, ObserverSession session,
        ReviewPlayer player, CancellationToken cancellation)
    {
        while (await NextAsync(requests, cancellation))
        {
            var m = requests.Current;
            switch (m.KindCase)
            {
                case ReviewMessage.KindOneofCase.Ack:
                    session.OnAck((long)m.Ack.FrameNumber);
                    break;
                case ReviewMessage.KindOneofCase.Pause:
                    player.Pause();
                    break;
                case ReviewMessage.KindOneofCase.RateCap:
                    if (WatchRequestValidator.RateCapProblem(m.RateCap.MaxFps) is { } capProblem) throw new RpcException(new Status(StatusCode.InvalidArgument, capProblem));
                    session.SetRateCap(m.RateCap.MaxFps);
                    break;
                case ReviewMessage.KindOneofCase.Review:
                    var r = m.Review;
                    if (ReviewRequestValidator.Problem(r) is { } problem) throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
                    if (r.ExamId != session.ExamId) throw new RpcException(new Status(StatusCode.InvalidArgument, "a review stream stays with its exam"));
                    if (library.Find(r.ExamId, r.RunId) is not { } entry)
                    {
                        player.Refused(r.RunId, $"exam {r.ExamId} has no recorded run {r.RunId}");
                        break;
                    }
                    player.Request(r, entry);
                    Audit(context, caller, "review-run", r.ExamId, $"session {session.Id}, run {r.RunId} from frame {Math.Max(1u, r.StartFrame)}");
                    break;
                default:
                    throw new RpcException(new Status(StatusCode.InvalidArgument, "only ReviewRequest, Ack, ReviewPause and SetRateCap may follow the ReviewRequest"));
            }
        }
    }

    private CallerIdentity Admit(ServerCallContext context, string examId)
    {
        var caller = AuthInterceptor.CallerOf(context);
        if (WatchRequestValidator.ExamIdProblem(examId) is { } problem) throw CallRefusal.Refuse(audit, context, caller, examId, StatusCode.InvalidArgument, problem);
        if (!caller.MayWatch(examId)) throw CallRefusal.Refuse(audit, context, caller, examId, StatusCode.PermissionDenied, "the token does not allow this exam");
        return caller;
    }

    private void Audit(ServerCallContext context, CallerIdentity caller, string action, string examId, string detail) =>
        audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, action, "OK", examId, caller.Role.ToString(), context.Peer, "grpc", Detail: detail));

    private static string FirstLine(string message) => message.Split('\n')[0];

    private static async Task<bool> NextAsync(IAsyncStreamReader<ReviewMessage> requests, CancellationToken cancellation)
    {
        try
        {
            return await requests.MoveNext(cancellation);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"a client message is not a valid ReviewMessage: {e.Message}"));
        }
    }
}
