using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text.Json;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Sessions;
using Google.Protobuf;

namespace CathLab.LiveFeed.Web;

/// <summary>Writes a session's messages to a browser's WebSocket. A frame is one binary message: a 4-byte
/// little-endian header length, a UTF-8 JSON header, then the JPEG (or, for a video observer, the VP8 frame; the
/// header then says <c>"codec":"vp8"</c> and whether it is a key frame). Events and notices are text messages
/// (JSON, the protobuf JSON mapping of the same messages the gRPC clients receive). Sends are not cancelled:
/// cancelling a WebSocket send aborts the connection (no close code); the endpoint aborts a send that hangs.</summary>
internal sealed class WebSocketObserverTransport(WebSocket socket) : IObserverTransport
{
    private readonly ArrayBufferWriter<byte> _header = new(512);

    public string Name => "websocket";

    public async ValueTask SendFrameAsync(OutgoingFrame frame, long sentUnixMicroseconds, CancellationToken cancellation)
    {
        await socket.SendAsync(Header(frame, sentUnixMicroseconds), WebSocketMessageType.Binary, false, CancellationToken.None);
        await socket.SendAsync(frame.Data, WebSocketMessageType.Binary, true, CancellationToken.None);
    }

    private ReadOnlyMemory<byte> Header(OutgoingFrame frame, long sentUnixMicroseconds)
    {
        _header.ResetWrittenCount();
        _header.GetSpan(4);
        _header.Advance(4);
        using (var json = new Utf8JsonWriter(_header))
        {
            json.WriteStartObject();
            json.WriteNumber("frameNumber", frame.FrameNumber);
            json.WriteNumber("readyUnixUs", frame.ReadyUnixMicroseconds);
            json.WriteNumber("sentUnixUs", sentUnixMicroseconds);
            json.WriteString("tier", frame.Tier.ToString());
            json.WriteNumber("width", frame.Width);
            json.WriteNumber("height", frame.Height);
            json.WriteNumber("level", frame.Level);
            json.WriteString("runId", frame.RunId);
            if (frame.LastImageHold) json.WriteBoolean("lastImageHold", true);
            if (frame.Probe) json.WriteBoolean("probe", true);
            if (frame.IsVideo)
            {
                json.WriteString("codec", "vp8");
                json.WriteBoolean("keyFrame", frame.KeyFrame);
                json.WriteNumber("sequence", frame.Sequence);
            }
            json.WriteEndObject();
        }
        var written = _header.WrittenMemory;
        var writable = System.Runtime.InteropServices.MemoryMarshal.AsMemory(written);
        BinaryPrimitives.WriteInt32LittleEndian(writable.Span, written.Length - 4);
        return written;
    }

    public ValueTask SendEventAsync(ExamEvent examEvent, CancellationToken cancellation) => SendTextAsync("event", examEvent);

    public ValueTask SendNoticeAsync(SessionNotice notice, CancellationToken cancellation) => SendTextAsync("notice", notice);

    public ValueTask SendErrorAsync(string status, string detail)
    {
        var text = JsonSerializer.Serialize(new { type = "error", status, detail });
        return socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(text).AsMemory(), WebSocketMessageType.Text, true, CancellationToken.None);
    }

    private ValueTask SendTextAsync(string type, IMessage message)
    {
        string text = $"{{\"type\":\"{type}\",\"{type}\":{JsonFormatter.Default.Format(message)}}}";
        return socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(text).AsMemory(), WebSocketMessageType.Text, true, CancellationToken.None);
    }
}
