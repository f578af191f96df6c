using System.Net.WebSockets;
using System.Text.Json;

namespace CathLab.Station.Tests.Web;

/// <summary>A test client's read of one whole JSON text message, with its size in bytes; null once the station closed.</summary>
internal static class WebSocketJson
{
    public static async Task<(JsonElement Message, int Bytes)?> ReceiveAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[1 << 16];
        using var text = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            text.Write(buffer, 0, result.Count);
            if (result.EndOfMessage) break;
        }
        using var doc = JsonDocument.Parse(text.ToArray());
        return (doc.RootElement.Clone(), (int)text.Length);
    }
}
