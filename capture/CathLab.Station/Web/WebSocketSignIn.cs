using System.Net.WebSockets;
using CathLab.Security.Sessions;

namespace CathLab.Station.Web;

/// <summary>How the station's token-first WebSockets (the console, the discussion) begin: anything but a WebSocket
/// request is answered 400; an accepted socket's first message is read. Null when there is nothing to sign in: not a
/// WebSocket, or the client hung up or closed before its first message. Until it is disposed, a station shutting down
/// closes the socket with 1001 at once rather than leaving it to the host's shutdown timeout; the session ends when
/// the peer answers the close.</summary>
internal sealed record WebSocketSignIn(WebSocket WebSocket, ConsoleSocket Socket, string Peer, Incoming Hello) : IDisposable
{
    private CancellationTokenRegistration _goingAway;
    private CancellationTokenRegistration _sessionOver;
    private const WebSocketCloseStatus Unauthorized = (WebSocketCloseStatus)4401;

    /// <summary>When the signed-in session ends (idle, expired, revoked), the socket is closed with 4401 and the reason;
    /// the conversation ends when the peer answers the close, as at shutdown.</summary>
    public void EndsWith(StreamLease lease) =>
        _sessionOver = lease.Ended.Register(() => _ = Socket.CloseOutputAsync(Unauthorized, lease.Reason ?? SessionLifetimes.Expired));

    public static async Task<WebSocketSignIn?> AcceptAsync(HttpContext context, IHostApplicationLifetime lifetime, ILogger logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return null;
        }
        var webSocket = await context.WebSockets.AcceptWebSocketAsync();
        var socket = new ConsoleSocket(webSocket);
        string peer = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        Incoming? hello = null;
        try
        {
            hello = await socket.ReceiveAsync(context.RequestAborted);
        }
        catch (Exception e) when (ConsoleEndpoint.IsHangUp(e))
        {
            logger.LogInformation("{Path} {Peer} hung up before signing in", context.Request.Path, peer);
        }
        if (hello is not null)
        {
            return new WebSocketSignIn(webSocket, socket, peer, hello)
            {
                _goingAway = lifetime.ApplicationStopping.Register(() => _ = socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "the station is shutting down")),
            };
        }
        webSocket.Dispose();
        return null;
    }

    public void Dispose()
    {
        _goingAway.Dispose();
        _sessionOver.Dispose();
        WebSocket.Dispose();
    }
}
