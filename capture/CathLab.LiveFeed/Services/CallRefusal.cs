using CathLab.Security.Access;
using CathLab.Security.Audit;
using Grpc.Core;

namespace CathLab.LiveFeed.Services;

/// <summary>A refused call: audited with why, and the status the client gets.</summary>
internal static class CallRefusal
{
    public static RpcException Refuse(IAuditLog audit, ServerCallContext context, CallerIdentity caller, string? examId, StatusCode status, string why)
    {
        audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, context.Method, status.ToString(), examId, caller.Role.ToString(), context.Peer, "grpc", Detail: why));
        return new RpcException(new Status(status, why));
    }
}
