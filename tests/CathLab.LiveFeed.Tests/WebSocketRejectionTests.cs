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
    public async Task AWatchingPageIsClosedWith1001WhenTheStationShutsDownAndWith1000WhenTheExamEnds()
    {
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        async Task<ClientWebSocket> WatchAsync(LiveFeedTestServer server)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new UriBuilder(server.WebAddress) { Scheme = "ws", Path = "/live/ws" }.Uri, hang.Token);
            int before = server.Hub.Sessions.Count;
            await socket.SendAsync(Encoding.UTF8.GetBytes("{\"token\":\"observer-token-7f3a\",\"examId\":\"EXAM-1\"}"), WebSocketMessageType.Text, true, hang.Token);
            while (server.Hub.Sessions.Count == before) await Task.Delay(10, hang.Token);
            return socket;
        }
        async Task<WebSocketReceiveResult> CloseOfAsync(ClientWebSocket socket)
        {
            var buffer = new byte[1 << 16];
            while (true)
            {
                var r = await socket.ReceiveAsync(buffer, hang.Token);
                if (r.MessageType == WebSocketMessageType.Close) return r;
            }
        }

        using (var ended = await WatchAsync(_server))
        {
            _server.Hub.EndExam();
            var close = await CloseOfAsync(ended);
            Assert.Equal(WebSocketCloseStatus.NormalClosure, close.CloseStatus);
            Assert.Equal("exam ended", close.CloseStatusDescription);
        }

        var stopping = await LiveFeedTestServer.StartAsync();
        using var watching = await WatchAsync(stopping);
        var shutdown = stopping.DisposeAsync().AsTask();
        var goingAway = await CloseOfAsync(watching);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, goingAway.CloseStatus);
        Assert.Equal("the station is shutting down", goingAway.CloseStatusDescription);
        await shutdown;
    }

    [Fact]
    public async Task ThePageAndScriptAreServed()
    {
        using var http = new HttpClient { BaseAddress = _server.WebAddress };
        Assert.Contains("viewer.js", await http.GetStringAsync("/live/"));
        Assert.Contains("cathlabLive", await http.GetStringAsync("/live/viewer.js"));
    }
}
