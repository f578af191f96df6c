using Grpc.Core;

namespace CathLab.Security.Sessions;

/// <summary>A streaming call's context whose cancellation also fires when the caller's session ends, so a service that
/// honours <see cref="ServerCallContext.CancellationToken"/> (every one here does) stops its stream with no code of its own.</summary>
internal sealed class SessionBoundCallContext : ServerCallContext
{
    /// <summary>Where ASP.NET Core's <c>GetHttpContext()</c> looks first for a context that is not its own.</summary>
    private const string HttpContextKey = "__HttpContext";

    private readonly ServerCallContext inner;
    private readonly CancellationToken cancellation;

    public SessionBoundCallContext(ServerCallContext inner, CancellationToken cancellation)
    {
        this.inner = inner;
        this.cancellation = cancellation;
        if (!inner.UserState.ContainsKey(HttpContextKey)) inner.UserState[HttpContextKey] = inner.GetHttpContext();
    }

    protected override string MethodCore => inner.Method;
    protected override string HostCore => inner.Host;
    protected override string PeerCore => inner.Peer;
    protected override DateTime DeadlineCore => inner.Deadline;
    protected override Metadata RequestHeadersCore => inner.RequestHeaders;
    protected override CancellationToken CancellationTokenCore => cancellation;
    protected override Metadata ResponseTrailersCore => inner.ResponseTrailers;

    protected override Status StatusCore
    {
        get => inner.Status;
        set => inner.Status = value;
    }

    protected override WriteOptions? WriteOptionsCore
    {
        get => inner.WriteOptions;
        set => inner.WriteOptions = value;
    }

    protected override AuthContext AuthContextCore => inner.AuthContext;
    protected override IDictionary<object, object> UserStateCore => inner.UserState;

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => inner.CreatePropagationToken(options);

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => inner.WriteResponseHeadersAsync(responseHeaders);
}
