using CathLab.Security.Audit;
using CathLab.LiveFeed.Protocol;
using CathLab.Security.Access;
using Grpc.Core;

namespace CathLab.LiveFeed.Services;

/// <summary>Technician-only control of the live feed (the interceptor refuses observers before this runs).</summary>
public sealed class LiveFeedControlService(LiveFeedHub hub, IAuditLog audit) : LiveFeedControl.LiveFeedControlBase
{
    public override Task<ListObserversReply> ListObservers(ListObserversRequest request, ServerCallContext context)
    {
        var reply = new ListObserversReply();
        foreach (var s in hub.Sessions)
        {
            reply.Observers.Add(new ObserverInfo
            {
                SessionId = s.Id, Subject = s.Caller.Subject, ExamId = s.ExamId, Transport = s.Transport,
                Level = (uint)s.Level, FramesSent = (ulong)s.FramesSent, FramesLost = (ulong)s.FramesLost,
            });
        }
        return Task.FromResult(reply);
    }

    public override Task<DisconnectObserverReply> DisconnectObserver(DisconnectObserverRequest request, ServerCallContext context)
    {
        var caller = AuthInterceptor.CallerOf(context);
        if (string.IsNullOrWhiteSpace(request.SessionId))
        {
            audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, context.Method, nameof(StatusCode.InvalidArgument), Role: caller.Role.ToString(), Peer: context.Peer, Transport: "grpc", Detail: "session_id is required"));
            throw new RpcException(new Status(StatusCode.InvalidArgument, "session_id is required"));
        }
        var session = hub.Sessions.FirstOrDefault(s => s.Id == request.SessionId);
        session?.Stop();
        audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, "disconnect-observer", "OK", session?.ExamId, caller.Role.ToString(), context.Peer, "grpc", Detail: $"session {request.SessionId} {(session is null ? "not found" : "stopped")}"));
        return Task.FromResult(new DisconnectObserverReply { Found = session is not null });
    }
}
