using System.Net.WebSockets;
using System.Text;
using CathLab.LiveFeed.Tests.Support;

namespace CathLab.LiveFeed.Tests;

/// <summary>The browser's WebSocket refuses what gRPC refuses, with close codes, and audits it.</summary>
public sealed class WebSocketRejectionTests : IAsyncLifetime
{
    private LiveFeedTestServer _server = null!;

    public async Task InitializeAsync() => _server = await LiveFeedTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(WebSocketCloseStatus? Status, string? Text)> Hello(string hello)
    {
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = new ClientWebSocket();
        var ws = new UriBuilder(_server.WebAddress) { Scheme = "ws", Path = "/live/ws" }.Uri;
        await socket.ConnectAsync(ws, hang.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes(hello), WebSocketMessageType.Text, true, hang.Token);
        var buffer = new byte[4096];
        string? text = null;
        while (true)
        {
            var r = await socket.ReceiveAsync(buffer, hang.Token);
            if (r.MessageType == WebSocketMessageType.Close) return (r.CloseStatus, text);
            if (r.MessageType == WebSocketMessageType.Text) text = Encoding.UTF8.GetString(buffer, 0, r.Count);
        }
    }

    [Theory]
    [InlineData("{\"examId\":\"EXAM-1\"}", 4401, "Unauthenticated", "anonymous")]
    [InlineData("{\"token\":\"guess\",\"examId\":\"EXAM-1\"}", 4401, "Unauthenticated", "unknown-token")]
    [InlineData("{\"token\":\"observer-other-exam-5d0e\",\"examId\":\"EXAM-1\"}", 4403, "PermissionDenied", "student")]
    [InlineData("not json", 1007, "InvalidArgument", "anonymous")]
    [InlineData("{\"token\":\"observer-token-7f3a\",\"examId\":\"EXAM-1\",\"bestTier\":\"best\"}", 1007, "InvalidArgument", "anonymous")]
    public async Task RefusedHellosAreClosedAndAudited(string hello, int close, string status, string subject)
    {
        var (closeStatus, text) = await Hello(hello);
        Assert.Equal(close, (int?)closeStatus);
        Assert.Contains(status, text);
        Assert.Contains(_server.Audit.Recent(), r => r.Outcome == status && r.Subject == subject && r.Transport == "websocket");
    }

    [Fact]
    public async Task ThePageAndScriptAreServed()
    {
        using var http = new HttpClient { BaseAddress = _server.WebAddress };
        Assert.Contains("viewer.js", await http.GetStringAsync("/live/"));
        Assert.Contains("cathlabLive", await http.GetStringAsync("/live/viewer.js"));
    }
}
