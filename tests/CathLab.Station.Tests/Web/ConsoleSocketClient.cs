using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace CathLab.Station.Tests.Web;

/// <summary>A test's side of the console WebSocket (/ws/console): sends text, reads the messages the station sends.</summary>
internal sealed class ConsoleSocketClient : IDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _hang = new(TimeSpan.FromSeconds(60));

    public WebSocket Socket => _socket;

    public static async Task<ConsoleSocketClient> ConnectAsync(Uri web, string? token)
    {
        var client = new ConsoleSocketClient();
        await client._socket.ConnectAsync(new Uri($"ws://{web.Authority}/ws/console"), client._hang.Token);
        await client.SendAsync(token is null ? "{}" : JsonSerializer.Serialize(new { token }));
        return client;
    }

    public Task SendAsync(string text) => _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, _hang.Token);

    public Task SendCommandAsync(long id, string command, object? request = null) =>
        SendAsync(JsonSerializer.Serialize(new { id, command, request = request ?? new { } }));

    /// <summary>The next message of <paramref name="type"/> (others, such as status pushes, skipped); null once closed.</summary>
    public Task<JsonElement?> NextAsync(string type) => NextOfAsync(type);

    /// <summary>The next message whose type is one of <paramref name="types"/>; null once closed.</summary>
    public async Task<JsonElement?> NextOfAsync(params string[] types)
    {
        while (await ReceiveAsync() is { } message)
        {
            if (types.Contains(message.GetProperty("type").GetString())) return message;
        }
        return null;
    }

    public async Task<JsonElement?> ReceiveAsync() => (await WebSocketJson.ReceiveAsync(_socket, _hang.Token))?.Message;

    public void Dispose()
    {
        _socket.Dispose();
        _hang.Dispose();
    }
}
