using System.Net.WebSockets;

namespace CathLab.Station.Web;

/// <summary>How the station's token-first WebSockets (the console, the discussion) begin: anything but a WebSocket
/// request is answered 400; an accepted socket's first message is read. Null when there is nothing to sign in: not a
/// WebSocket, or the client hung up or closed before its first message.</summary>
internal sealed record WebSocketSignIn(WebSocket WebSocket, ConsoleSocket Socket, string Peer, Incoming Hello) : IDisposable
{
    public static async Task<WebSocketSignIn?> AcceptAsync(HttpContext context, ILogger logger)
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
        if (hello is not null) return new WebSocketSignIn(webSocket, socket, peer, hello);
        webSocket.Dispose();
        return null;
    }

    public void Dispose() => WebSocket.Dispose();
}
