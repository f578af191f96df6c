using CathLab.Security.Audit;
using CathLab.Security.Sessions;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace CathLab.Security.Access;

/// <summary>Checks every gRPC call's bearer token and the role its method needs before the method runs;
/// a refused call gets UNAUTHENTICATED (no or unknown token) or PERMISSION_DENIED (role too low) and is audited.
/// The caller's identity is left in the call's user state for the service (<see cref="CallerOf"/>). A streaming call of a
/// person's session ends when the session does (idle, expired, revoked): UNAUTHENTICATED with the reason, audited.</summary>
public sealed class AuthInterceptor(IAccessTokenResolver tokens, MethodPolicy policy, IAuditLog audit, SessionLifetimes sessions) : Interceptor
{
    private const string CallerKey = "cathlab.caller";
    private const string TransportKey = "cathlab.transport";

    public static CallerIdentity CallerOf(ServerCallContext context) =>
        context.UserState.TryGetValue(CallerKey, out var c) && c is CallerIdentity id ? id : throw new RpcException(new Status(StatusCode.Unauthenticated, "no caller"));

    /// <summary>What carried the call, for the audit trail: "grpc", or the transport that <see cref="Attach"/> named.</summary>
    public static string TransportOf(ServerCallContext context) =>
        context.UserState.TryGetValue(TransportKey, out var t) && t is string transport ? transport : "grpc";

    /// <summary>Leaves an identity established elsewhere (a WebSocket's first message) in a call's user state, as this
    /// interceptor does for a gRPC call, so a service reached through another transport sees the same caller.</summary>
    public static void Attach(ServerCallContext context, CallerIdentity caller, string transport)
    {
        context.UserState[CallerKey] = caller;
        context.UserState[TransportKey] = transport;
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var caller = await AuthorizeAsync(context);
        await WhileSessionLastsAsync(caller, context, bound => continuation(request, responseStream, bound));
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var caller = await AuthorizeAsync(context);
        TResponse response = default!;
        await WhileSessionLastsAsync(caller, context, async bound => response = await continuation(new TouchingReader<TRequest>(requestStream, sessions, caller), bound));
        return response;
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var caller = await AuthorizeAsync(context);
        await WhileSessionLastsAsync(caller, context, bound => continuation(new TouchingReader<TRequest>(requestStream, sessions, caller), responseStream, bound));
    }

    /// <summary>Runs a stream with a context whose cancellation fires when the caller's session ends; then the call ends
    /// UNAUTHENTICATED with the reason, however the service reacted to its cancellation.</summary>
    private async Task WhileSessionLastsAsync(CallerIdentity caller, ServerCallContext context, Func<ServerCallContext, Task> stream)
    {
        using var lease = sessions.Open(caller);
        if (lease == StreamLease.Unbounded)
        {
            await stream(context);
            return;
        }
        using var both = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lease.Ended);
        try
        {
            await stream(new SessionBoundCallContext(context, both.Token));
        }
        catch (Exception) when (lease.Reason is not null)
        {
        }
        if (lease.Reason is { } why)
        {
            audit.Record(new AuditRecord(DateTimeOffset.UtcNow, caller.Subject, context.Method, nameof(StatusCode.Unauthenticated), caller.Invitation is null ? null : caller.Exams.FirstOrDefault(),
                caller.Role.ToString(), context.Peer, "grpc", Detail: $"stream ended: {why}"));
            throw new RpcException(new Status(StatusCode.Unauthenticated, why));
        }
    }

    private async ValueTask<CallerIdentity> AuthorizeAsync(ServerCallContext context)
    {
        string? header = context.RequestHeaders.GetValue("authorization");
        string? token = header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        if (token is null)
        {
            Refuse(context, "anonymous", null, StatusCode.Unauthenticated, header is null ? "no token" : "authorization is not a bearer token");
        }
        var check = await tokens.ResolveAsync(token, context.CancellationToken);
        if (check.Caller is not { } caller)
        {
            Refuse(context, "unknown-token", null, StatusCode.Unauthenticated, check.Refusal);
            return null!;
        }
        var needed = policy.RoleFor(context.Method);
        if (!caller.Has(needed))
        {
            Refuse(context, caller.Subject, caller.Role, StatusCode.PermissionDenied, $"{context.Method} needs the {needed} role");
        }
        context.UserState[CallerKey] = caller;
        return caller;
    }

    private void Refuse(ServerCallContext context, string subject, StationRole? role, StatusCode status, string why)
    {
        audit.Record(new AuditRecord(DateTimeOffset.UtcNow, subject, context.Method, status.ToString(), Role: role?.ToString(), Peer: context.Peer, Transport: "grpc", Detail: why));
        throw new RpcException(new Status(status, why));
    }
}
