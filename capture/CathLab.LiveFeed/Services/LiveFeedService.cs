using CathLab.Security.Audit;
using CathLab.LiveFeed.Protocol;
using CathLab.Security.Access;
using CathLab.LiveFeed.Sessions;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace CathLab.LiveFeed.Services;

/// <summary>The observers' gRPC service: live frames with events (Watch), events alone, lossless fetch. A client
/// message that is not a valid ObserverMessage ends the call with INVALID_ARGUMENT (audited); an observer that
/// hangs up is logged once, as information.</summary>
public sealed class LiveFeedService(LiveFeedHub hub, IAuditLog audit, ILogger<LiveFeedService> logger, RecordedRunCalls recorded) : Protocol.LiveFeed.LiveFeedBase
{
    public override async Task Watch(IAsyncStreamReader<ObserverMessage> requestStream, IServerStreamWriter<LiveMessage> responseStream, ServerCallContext context)
    {
        var caller = AuthInterceptor.CallerOf(context);
        bool any;
        try
        {
            any = await NextAsync(requestStream, context.CancellationToken);
        }
        catch (RpcException bad)
        {
            throw Refuse(context, caller, null, bad.StatusCode, bad.Status.Detail);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            logger.LogInformation("observer {Peer} hung up before its WatchRequest", context.Peer);
            return;
        }
        if (!any) throw Refuse(context, caller, null, StatusCode.InvalidArgument, "the stream ended before a WatchRequest");
        var first = requestStream.Current;
        if (first.KindCase != ObserverMessage.KindOneofCase.Watch)
            throw Refuse(context, caller, null, StatusCode.InvalidArgument, "the first message must be a WatchRequest");
        var request = first.Watch;
        if (WatchRequestValidator.Problem(request) is { } problem)
            throw Refuse(context, caller, request.ExamId, StatusCode.InvalidArgument, problem);
        if (!caller.MayWatch(request.ExamId))
            throw Refuse(context, caller, request.ExamId, StatusCode.PermissionDenied, "the token does not allow this exam");

        var session = hub.Join(caller, request.ExamId, request.BestTier, request.MaxFps, "grpc", context.Peer, request.Codec);
        audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, "watch-start", "OK", request.ExamId, caller.Role.ToString(), context.Peer, "grpc", Detail: $"session {session.Id}, best tier {request.BestTier}, codec {(request.Codec == ImageEncoding.Vp8 ? "vp8" : "jpeg")}, client {request.ClientName}"));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, session.Stopping);
        string outcome = "OK";
        try
        {
            outcome = await GrpcSessionLoops.RunAsync(context, logger, session, stop,
                session.RunWriterAsync(new GrpcObserverTransport(responseStream), stop.Token), ReadObserverMessagesAsync(requestStream, session, stop.Token));
        }
        catch (RpcException e)
        {
            outcome = e.StatusCode.ToString();
            throw;
        }
        finally
        {
            hub.Leave(session);
            audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, "watch-end", outcome, request.ExamId, caller.Role.ToString(), context.Peer, "grpc",
                (DateTimeOffset.UtcNow - session.StartedAt).TotalSeconds,
                $"session {session.Id}, frames sent {session.FramesSent}, lost {session.FramesLost}, skipped {session.FramesSkipped}{(session.EndedWithExam ? ", exam ended" : "")}"));
        }
    }

    public override async Task WatchEvents(WatchEventsRequest request, IServerStreamWriter<ExamEvent> responseStream, ServerCallContext context)
    {
        var caller = AuthInterceptor.CallerOf(context);
        if (WatchRequestValidator.ExamIdProblem(request.ExamId) is { } problem)
            throw Refuse(context, caller, request.ExamId, StatusCode.InvalidArgument, problem);
        if (!caller.MayWatch(request.ExamId))
            throw Refuse(context, caller, request.ExamId, StatusCode.PermissionDenied, "the token does not allow this exam");
        var subscription = new EventSubscription(request.ExamId);
        hub.Subscribe(subscription);
        var started = DateTimeOffset.UtcNow;
        audit.Record(new AuditRecord(started, caller.Subject, "events-start", "OK", request.ExamId, caller.Role.ToString(), context.Peer, "grpc"));
        try
        {
            await foreach (var e in subscription.Reader.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(e, context.CancellationToken);
                if (e.KindCase == ExamEvent.KindOneofCase.ExamEnded) break;
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            hub.Unsubscribe(subscription);
            audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, "events-end", "OK", request.ExamId, caller.Role.ToString(), context.Peer, "grpc", (DateTimeOffset.UtcNow - started).TotalSeconds));
        }
    }

    public override Task<ListRecordedRunsReply> ListRecordedRuns(ListRecordedRunsRequest request, ServerCallContext context) => recorded.ListAsync(request, context);

    public override Task Review(IAsyncStreamReader<ReviewMessage> requestStream, IServerStreamWriter<LiveMessage> responseStream, ServerCallContext context) =>
        recorded.ReviewAsync(requestStream, responseStream, context);

    public override Task<FetchedFrame> FetchFrame(FetchFrameRequest request, ServerCallContext context)
    {
        if (request.RunId.Length > 0) return recorded.FetchAsync(request, context);
        var caller = AuthInterceptor.CallerOf(context);
        if (WatchRequestValidator.ExamIdProblem(request.ExamId) is { } problem)
            throw Refuse(context, caller, request.ExamId, StatusCode.InvalidArgument, problem);
        if (!caller.MayWatch(request.ExamId))
            throw Refuse(context, caller, request.ExamId, StatusCode.PermissionDenied, "the token does not allow this exam");
        var found = hub.EncodeLossless(request.ExamId, (long)request.FrameNumber);
        if (found is not { } f)
            throw Refuse(context, caller, request.ExamId, StatusCode.NotFound, $"frame {request.FrameNumber} is no longer kept; mark a frame to keep it");
        audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, "fetch-lossless", "OK", request.ExamId, caller.Role.ToString(), context.Peer, "grpc", Detail: $"frame {request.FrameNumber}"));
        return Task.FromResult(new FetchedFrame
        {
            FrameNumber = request.FrameNumber,
            Encoding = ImageEncoding.Png16,
            Width = (uint)f.Info.Width,
            Height = (uint)f.Info.Height,
            BitsStored = (uint)f.Info.BitsStored,
            Data = UnsafeByteOperations.UnsafeWrap(f.Png),
        });
    }

    private async Task ReadObserverMessagesAsync(IAsyncStreamReader<ObserverMessage> requests, ObserverSession session, CancellationToken cancellation)
    {
        while (await NextAsync(requests, cancellation))
        {
            var m = requests.Current;
            switch (m.KindCase)
            {
                case ObserverMessage.KindOneofCase.Ack:
                    session.OnAck((long)m.Ack.FrameNumber);
                    break;
                case ObserverMessage.KindOneofCase.Mark:
                    hub.Mark(session.ExamId, (long)m.Mark.FrameNumber);
                    break;
                case ObserverMessage.KindOneofCase.RateCap:
                    if (WatchRequestValidator.RateCapProblem(m.RateCap.MaxFps) is { } problem) throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
                    session.SetRateCap(m.RateCap.MaxFps);
                    break;
                case ObserverMessage.KindOneofCase.KeyFrame:
                    session.RequestKeyFrame();
                    break;
                default:
                    throw new RpcException(new Status(StatusCode.InvalidArgument, "only Ack, MarkFrame, SetRateCap and RequestKeyFrame may follow the WatchRequest"));
            }
        }
    }

    /// <summary>The next client message; one that does not parse is the client's error (INVALID_ARGUMENT), not the
    /// handler's (a parse failure escaping the handler would be answered UNKNOWN with a stack trace in the log).</summary>
    private static async Task<bool> NextAsync(IAsyncStreamReader<ObserverMessage> requests, CancellationToken cancellation)
    {
        try
        {
            return await requests.MoveNext(cancellation);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"a client message is not a valid ObserverMessage: {e.Message}"));
        }
    }

    private RpcException Refuse(ServerCallContext context, CallerIdentity caller, string? examId, StatusCode status, string why) =>
        CallRefusal.Refuse(audit, context, caller, examId, status, why);
}
