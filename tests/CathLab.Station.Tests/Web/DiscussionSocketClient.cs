using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace CathLab.Station.Tests.Web;

/// <summary>A program's side of the discussion WebSocket, written from docs/discussion.md: the hello, the state, then
/// operations out and events in. Counts what it received and the byte size of each message by type.</summary>
internal sealed class DiscussionSocketClient : IDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _hang = new(TimeSpan.FromSeconds(120));

    public WebSocket Socket => _socket;
    public JsonElement State { get; private set; }
    public string Id => State.GetProperty("you").GetProperty("id").GetString()!;
    public Dictionary<string, int> MaxBytes { get; } = [];
    public int PointersReceived { get; private set; }

    /// <summary>Connects and says hello; returns once the <c>state</c> (or the refusal) has come.</summary>
    public static async Task<DiscussionSocketClient> JoinAsync(int webPort, string token, string examId, string? name = null)
    {
        var client = new DiscussionSocketClient();
        await client._socket.ConnectAsync(new Uri($"ws://127.0.0.1:{webPort}/ws/discussion"), client._hang.Token);
        await client.SendAsync(new { token, examId, name });
        var first = await client.ReceiveAsync();
        if (first is { } f && f.GetProperty("type").GetString() == "state") client.State = f;
        else if (first is { } refused) client.State = refused;
        return client;
    }

    public Task SendAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message));

    public Task SendTextAsync(string text) => _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, _hang.Token);

    /// <summary>The next message of <paramref name="type"/> that <paramref name="matches"/> (others skipped); null once closed.</summary>
    public async Task<JsonElement?> NextAsync(string type, Func<JsonElement, bool>? matches = null)
    {
        while (await ReceiveAsync() is { } message)
        {
            if (message.GetProperty("type").GetString() == type && (matches?.Invoke(message) ?? true)) return message;
        }
        return null;
    }

    public async Task<JsonElement?> ReceiveAsync()
    {
        if (await WebSocketJson.ReceiveAsync(_socket, _hang.Token) is not var (message, bytes)) return null;
        string type = message.GetProperty("type").GetString()!;
        MaxBytes[type] = Math.Max(MaxBytes.GetValueOrDefault(type), bytes);
        if (type == "pointer") PointersReceived++;
        return message;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _hang.Dispose();
    }
}
