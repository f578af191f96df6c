using System.Net.WebSockets;
using System.Text;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Tests.Support;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace CathLab.LiveFeed.Tests;

/// <summary>Input that is not the protocol is the client's error: INVALID_ARGUMENT or close 1007, audited as such,
/// and a client that hangs up is logged once as information, never with a stack trace.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);
    private static readonly Method<byte[], byte[]> RawWatch = new(MethodType.DuplexStreaming, "cathlab.livefeed.v1.LiveFeed", "Watch", Raw, Raw);
    private readonly CapturedLog _log = new();
    private LiveFeedTestServer _server = null!;

    public async Task InitializeAsync() => _server = await LiveFeedTestServer.StartAsync(log: _log);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static Metadata Bearer => [new Metadata.Entry("authorization", "Bearer " + LiveFeedTestServer.ObserverToken)];

    /// <summary>Field 1 (WatchRequest) as a length-delimited field whose length runs past the message's end.</summary>
    private static readonly byte[] NotProtobuf = [0x0A, 0x7F, 0x01, 0x02];

    private async Task<RpcException> RawWatchFails(params byte[][] messages)
    {
        using var channel = GrpcChannel.ForAddress(_server.Address);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(RawWatch, null, new CallOptions(Bearer, cancellationToken: timeout.Token));
        return await Assert.ThrowsAsync<RpcException>(async () =>
        {
            foreach (var m in messages) await call.RequestStream.WriteAsync(m);
            while (await call.ResponseStream.MoveNext(timeout.Token))
            {
            }
        });
    }

    private void AssertNoFailureLogged() =>
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Warning || (e.Error is not null && e.Category.StartsWith("CathLab", StringComparison.Ordinal)));

    [Fact]
    public async Task AFirstMessageThatIsNotProtobufIsInvalidArgumentAndAudited()
    {
        var e = await RawWatchFails(NotProtobuf);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(_server.Audit.Recent(), r => r.Outcome == "InvalidArgument" && r.Subject == "dr-referrer" && r.Action.EndsWith("/Watch", StringComparison.Ordinal));
        AssertNoFailureLogged();
    }

    [Fact]
    public async Task GarbageAfterAValidWatchRequestIsInvalidArgumentAndAudited()
    {
        var watch = new ObserverMessage { Watch = new WatchRequest { ExamId = LiveFeedTestServer.Exam, BestTier = Tier.Preview } }.ToByteArray();
        var e = await RawWatchFails(watch, NotProtobuf);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        await WaitFor(() => _server.Audit.Recent().Any(r => r.Action == "watch-end"));
        Assert.Contains(_server.Audit.Recent(), r => r.Action == "watch-end" && r.Outcome == "InvalidArgument");
        AssertNoFailureLogged();
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (int i = 0; i < 600 && !condition(); i++) await Task.Delay(50);
    }

    private async Task<ClientWebSocket> ConnectAsync(CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(_server.WebAddress) { Scheme = "ws", Path = "/live/ws" }.Uri, ct);
        return socket;
    }

    private static async Task<WebSocketCloseStatus?> CloseStatusAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var r = await socket.ReceiveAsync(buffer, ct);
            if (r.MessageType == WebSocketMessageType.Close) return r.CloseStatus;
        }
    }

    private static string Hello => $"{{\"token\":\"{LiveFeedTestServer.ObserverToken}\",\"examId\":\"{LiveFeedTestServer.Exam}\",\"bestTier\":\"preview\"}}";

    [Fact]
    public async Task AWebSocketFirstMessageOf64KiBIsClosedWith1007AndAudited()
    {
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await ConnectAsync(hang.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"token\":\"" + new string('x', 64 * 1024) + "\"}"), WebSocketMessageType.Text, true, hang.Token);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await CloseStatusAsync(socket, hang.Token));
        Assert.Contains(_server.Audit.Recent(), r => r.Outcome == "InvalidArgument" && r.Transport == "websocket");
        AssertNoFailureLogged();
    }

    [Fact]
    public async Task AStrayWebSocketMessageWhileWatchingIsClosedWith1007AndAuditedSo()
    {
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await ConnectAsync(hang.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes(Hello), WebSocketMessageType.Text, true, hang.Token);
        await WaitFor(() => _server.Hub.Sessions.Count == 1);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"play\":true}"), WebSocketMessageType.Text, true, hang.Token);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await CloseStatusAsync(socket, hang.Token));
        await WaitFor(() => _server.Audit.Recent().Any(r => r.Action == "watch-end"));
        var end = Assert.Single(_server.Audit.Recent(), r => r.Action == "watch-end");
        Assert.Equal("InvalidArgument", end.Outcome);
        AssertNoFailureLogged();
    }

    [Fact]
    public async Task ClientsThatHangUpAbruptlyAreLoggedOnceAsInformation()
    {
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var hub = _server.Hub;
        var set = SimulatedFrameSet.Full;
        using var pump = new FramePump(hub, set, 15).Start();
        const int Each = 5;
        for (int i = 0; i < Each; i++)
        {
            var socket = await ConnectAsync(hang.Token);
            await socket.SendAsync(Encoding.UTF8.GetBytes(Hello), WebSocketMessageType.Text, true, hang.Token);
            await socket.ReceiveAsync(new byte[64 * 1024], hang.Token); // watching: something has come
            socket.Abort();
            socket.Dispose();

            var channel = GrpcChannel.ForAddress(_server.Address);
            var call = new LiveFeed.Protocol.LiveFeed.LiveFeedClient(channel).Watch(Bearer, cancellationToken: hang.Token);
            await call.RequestStream.WriteAsync(new ObserverMessage { Watch = new WatchRequest { ExamId = LiveFeedTestServer.Exam, BestTier = Tier.Preview } });
            await call.ResponseStream.MoveNext(hang.Token);
            call.Dispose(); // cancels the call: the client is gone
            channel.Dispose();

            var early = await ConnectAsync(hang.Token); // gone before its first message
            early.Abort();
            early.Dispose();
        }
        static bool InSession(string m) => m.Contains("(session", StringComparison.Ordinal) && m.Contains("hung up", StringComparison.Ordinal);
        await WaitFor(() => _server.Audit.Recent().Count(r => r.Action == "watch-end") == 2 * Each && _log.Entries.Count(e => InSession(e.Message)) >= 2 * Each);
        AssertNoFailureLogged();
        var hungUp = _log.Entries.Where(e => e.Message.Contains("hung up", StringComparison.Ordinal)).ToList();
        Assert.All(hungUp, e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.Equal(2 * Each, hungUp.Count(e => InSession(e.Message))); // once per session
        Assert.InRange(hungUp.Count(e => e.Message.Contains("before its first message", StringComparison.Ordinal)), 0, Each);
        Assert.All(_server.Audit.Recent().Where(r => r.Action == "watch-end"), r => Assert.Equal("Cancelled", r.Outcome));
    }
}
