using CathLab.Security.Audit;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace CathLab.Security.Access;

/// <summary>Checks every gRPC call's bearer token and the role its method needs before the method runs;
/// a refused call gets UNAUTHENTICATED (no or unknown token) or PERMISSION_DENIED (role too low) and is audited.
/// The caller's identity is left in the call's user state for the service (<see cref="CallerOf"/>).</summary>
public sealed class AuthInterceptor(IAccessTokenResolver tokens, MethodPolicy policy, IAuditLog audit) : Interceptor
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
        await AuthorizeAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        return await continuation(requestStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    private async ValueTask AuthorizeAsync(ServerCallContext context)
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
            return;
        }
        var needed = policy.RoleFor(context.Method);
        if (!caller.Has(needed))
        {
            Refuse(context, caller.Subject, caller.Role, StatusCode.PermissionDenied, $"{context.Method} needs the {needed} role");
        }
        context.UserState[CallerKey] = caller;
    }

    private void Refuse(ServerCallContext context, string subject, StationRole? role, StatusCode status, string why)
    {
        audit.Record(new AuditRecord(DateTimeOffset.UtcNow, subject, context.Method, status.ToString(), Role: role?.ToString(), Peer: context.Peer, Transport: "grpc", Detail: why));
        throw new RpcException(new Status(status, why));
    }
}
