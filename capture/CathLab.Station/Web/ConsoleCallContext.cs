using CathLab.Security.Access;
using Grpc.Core;

namespace CathLab.Station.Web;

/// <summary>The call context of one console command that came over the browser's WebSocket: the control service sees
/// the caller established by the socket's first message, the socket's peer, and "websocket" as the transport, so its
/// checks and its audit trail are the ones a gRPC call gets.</summary>
internal sealed class ConsoleCallContext : ServerCallContext
{
    private readonly Metadata _headers = [];
    private readonly Metadata _trailers = [];

    public ConsoleCallContext(string method, string peer, CallerIdentity caller, CancellationToken cancellation)
    {
        MethodCore = method;
        PeerCore = peer;
        CancellationTokenCore = cancellation;
        AuthInterceptor.Attach(this, caller, ConsoleEndpoint.Transport);
    }

    protected override string MethodCore { get; }
    protected override string HostCore => "station";
    protected override string PeerCore { get; }
    protected override DateTime DeadlineCore => DateTime.MaxValue;
    protected override Metadata RequestHeadersCore => _headers;
    protected override CancellationToken CancellationTokenCore { get; }
    protected override Metadata ResponseTrailersCore => _trailers;
    protected override Status StatusCore { get; set; }
    protected override WriteOptions? WriteOptionsCore { get; set; }
    protected override AuthContext AuthContextCore => new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException("a console command does not start other calls");

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
