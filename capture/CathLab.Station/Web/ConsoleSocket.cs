using System.Net.WebSockets;
using System.Text;

namespace CathLab.Station.Web;

/// <summary>One console WebSocket: whole text messages in, text messages out with one send at a time (the status
/// pushes, the answers to commands and the pedal's replies come from different tasks). Sends are not cancelled: a
/// cancelled WebSocket send aborts the connection, and the page would get no close code.</summary>
internal sealed class ConsoleSocket(WebSocket socket)
{
    public const int MaxMessageBytes = 16 * 1024;

    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly byte[] _buffer = new byte[MaxMessageBytes];

    public WebSocket Socket => socket;

    /// <summary>Sends one text message; false when the socket is no longer open (the page went away).</summary>
    public async Task<bool> SendAsync(string text)
    {
        await _sending.WaitAsync();
        try
        {
            if (socket.State != WebSocketState.Open) return false;
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The next whole message: its text, or <see cref="Incoming.TooLong"/> / <see cref="Incoming.Binary"/> (read to
    /// its end and dropped), or null once the peer closed.</summary>
    public async Task<Incoming?> ReceiveAsync(CancellationToken ct)
    {
        int count = 0;
        bool tooLong = false;
        while (true)
        {
            var result = await socket.ReceiveAsync(_buffer.AsMemory(tooLong ? 0 : count), ct);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            if (!tooLong) count += result.Count;
            if (result.EndOfMessage)
            {
                if (tooLong) return Incoming.TooLong;
                if (result.MessageType == WebSocketMessageType.Binary) return Incoming.Binary;
                return new Incoming(Encoding.UTF8.GetString(_buffer, 0, count));
            }
            if (count == _buffer.Length) tooLong = true;
        }
    }

    /// <summary>Starts the close handshake without waiting for the answer; the receive loop ends when the page answers.</summary>
    public Task CloseOutputAsync(WebSocketCloseStatus status, string why) =>
        ClosingAsync(WebSocketState.Open, grace => socket.CloseOutputAsync(status, why, grace));

    public Task CloseAsync(WebSocketCloseStatus status, string why) =>
        ClosingAsync(WebSocketState.CloseReceived, grace => socket.CloseAsync(status, why, grace));

    /// <summary>Runs a close while the socket is open (or in <paramref name="alsoIn"/>), with a 2 s grace; a peer that
    /// does not answer in time, or a socket already gone, is aborted.</summary>
    private async Task ClosingAsync(WebSocketState alsoIn, Func<CancellationToken, Task> close)
    {
        await _sending.WaitAsync();
        try
        {
            if (socket.State == WebSocketState.Open || socket.State == alsoIn)
            {
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await close(grace.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            socket.Abort();
        }
        finally
        {
            _sending.Release();
        }
    }
}

/// <summary>One message from the page: its text, or null text with the reason it cannot be read.</summary>
internal sealed record Incoming(string? Text, string? Problem = null)
{
    public static readonly Incoming TooLong = new(null, $"a message is longer than {ConsoleSocket.MaxMessageBytes} bytes");
    public static readonly Incoming Binary = new(null, "the console speaks JSON text messages, not binary");
}
