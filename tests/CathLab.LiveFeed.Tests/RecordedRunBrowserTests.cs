using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CathLab.Dicom.IO;
using CathLab.LiveFeed.Tests.Support;
using OpenCvSharp;

namespace CathLab.LiveFeed.Tests;

/// <summary>Review for browsers: the WebSocket's review session (JSON messages, paced like the watch) and the HTTP run
/// list and full-resolution frame, with the token in a header or the first message, never in the URL.</summary>
public sealed class RecordedRunBrowserTests : IAsyncLifetime
{
    private readonly RecordedRunFiles _runs = new();
    private LiveFeedTestServer _server = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _server = await LiveFeedTestServer.StartAsync(recordedRuns: _runs);
        _http.BaseAddress = _server.WebAddress;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        _runs.Dispose();
    }

    private async Task<ClientWebSocket> OpenReviewAsync(string token, JsonObject review, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(_server.WebAddress.ToString().Replace("http", "ws") + "live/ws"), ct);
        var hello = new JsonObject { ["token"] = token, ["examId"] = LiveFeedTestServer.Exam, ["bestTier"] = "diagnostic", ["review"] = review };
        await SendAsync(socket, hello, ct);
        return socket;
    }

    private static Task SendAsync(ClientWebSocket socket, JsonObject message, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, ct);

    /// <summary>One whole message: (text or null, binary header or null), or (null, null) on close.</summary>
    private static async Task<(JsonNode? Text, JsonNode? FrameHeader)> ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[4 << 20];
        int count = 0;
        WebSocketReceiveResult r;
        do
        {
            r = await socket.ReceiveAsync(buffer.AsMemory(count), ct) is var m ? new WebSocketReceiveResult(m.Count, m.MessageType, m.EndOfMessage) : null!;
            if (r.MessageType == WebSocketMessageType.Close) return (null, null);
            count += r.Count;
        }
        while (!r.EndOfMessage);
        if (r.MessageType == WebSocketMessageType.Text) return (JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, count)), null);
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(buffer);
        return (null, JsonNode.Parse(Encoding.UTF8.GetString(buffer, 4, headerLength)));
    }

    [Fact]
    public async Task ABrowserPlaysARunPausesAndStepsOverTheWebSocket()
    {
        _runs.Record(1, 30, DicomTransferSyntax.RleLossless, rate: 30);
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var socket = await OpenReviewAsync(LiveFeedTestServer.ObserverToken, new JsonObject { ["runId"] = "RUN-1", ["fps"] = 10 }, hang.Token);
        var frames = new List<long>();
        var states = new List<string>();
        bool stepped = false;
        while (true)
        {
            var (text, header) = await ReceiveAsync(socket, hang.Token);
            if (text is null && header is null) break;
            if (header is not null)
            {
                long n = header["frameNumber"]!.GetValue<long>();
                frames.Add(n);
                Assert.Equal("RUN-1", header["runId"]!.GetValue<string>());
                await SendAsync(socket, new JsonObject { ["ack"] = n }, hang.Token);
                if (n == 5) await SendAsync(socket, new JsonObject { ["pause"] = true }, hang.Token);
                if (stepped && n == 20) break;
                continue;
            }
            if (text!["type"]!.GetValue<string>() != "event" || text["event"]!["review"] is not { } review) continue;
            states.Add(review["state"]!.GetValue<string>());
            if (review["state"]!.GetValue<string>() == "paused" && !stepped)
            {
                stepped = true;
                await SendAsync(socket, new JsonObject { ["review"] = new JsonObject { ["runId"] = "RUN-1", ["startFrame"] = 20, ["frameCount"] = 1 } }, hang.Token);
            }
        }
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", hang.Token);
        Assert.True(frames[^1] == 20, $"frames {string.Join(",", frames)}, states {string.Join(",", states)}");
        Assert.True(Enumerable.Range(1, frames.Count - 1).Select(i => (long)i).SequenceEqual(frames.Take(frames.Count - 1)), $"frames {string.Join(",", frames)}, states {string.Join(",", states)}");
        Assert.InRange(frames.Count - 1, 5, 7); // the pause is taken at the next frame boundary
        Assert.Equal("playing", states[0]);
        Assert.Contains(_server.Audit.Recent(), r => r.Action == "review-start" && r.Transport == "websocket" && r.Detail!.Contains("run RUN-1"));
        Assert.Contains(_server.Audit.Recent(), r => r.Action == "review-run" && r.Detail!.Contains("from frame 20"));
    }

    [Fact]
    public async Task AnUnknownRunIsClosedWith4404AndAForeignTokenWith4403()
    {
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using (var socket = await OpenReviewAsync(LiveFeedTestServer.ObserverToken, new JsonObject { ["runId"] = "RUN-9" }, hang.Token))
        {
            while (await ReceiveAsync(socket, hang.Token) is not (null, null)) { }
            Assert.Equal(4404, (int)socket.CloseStatus!);
        }
        _runs.Record(1, 3, DicomTransferSyntax.RleLossless);
        using (var socket = await OpenReviewAsync(LiveFeedTestServer.OtherExamToken, new JsonObject { ["runId"] = "RUN-1" }, hang.Token))
        {
            while (await ReceiveAsync(socket, hang.Token) is not (null, null)) { }
            Assert.Equal(4403, (int)socket.CloseStatus!);
        }
        using (var socket = await OpenReviewAsync(LiveFeedTestServer.ObserverToken, new JsonObject { ["runId"] = "RUN-1", ["fps"] = 45 }, hang.Token))
        {
            while (await ReceiveAsync(socket, hang.Token) is not (null, null)) { }
            Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, socket.CloseStatus);
        }
    }

    private HttpRequestMessage Get(string path, string? token = LiveFeedTestServer.ObserverToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    [Fact]
    public async Task TheRunListAndAFullResolutionFrameComeOverHttpWithTheTokenInAHeader()
    {
        _runs.Record(1, 12, DicomTransferSyntax.RleLossless, rate: 15, dsa: true);
        using var list = await _http.SendAsync(Get($"/live/runs?exam={LiveFeedTestServer.Exam}&thumbnailWidth=64"));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var runs = JsonNode.Parse(await list.Content.ReadAsStringAsync())!["runs"]!.AsArray();
        Assert.Equal("RUN-1", runs[0]!["runId"]!.GetValue<string>());
        Assert.Equal(12, runs[0]!["frames"]!.GetValue<int>());
        Assert.True(runs[0]!["dsa"]!.GetValue<bool>());
        using (var thumb = Cv2.ImDecode(Convert.FromBase64String(runs[0]!["thumbnailJpeg"]!.GetValue<string>()), ImreadModes.Unchanged)) Assert.Equal(64, thumb.Width);

        using var frame = await _http.SendAsync(Get($"/live/runs/frame?exam={LiveFeedTestServer.Exam}&run=RUN-1&frame=9"));
        Assert.Equal(HttpStatusCode.OK, frame.StatusCode);
        Assert.Equal("image/png", frame.Content.Headers.ContentType!.MediaType);
        using var png = Cv2.ImDecode(await frame.Content.ReadAsByteArrayAsync(), ImreadModes.Unchanged);
        png.GetArray(out ushort[] pixels);
        Assert.True(RecordedRunFiles.Subtracted(1, 8).AsSpan().SequenceEqual(pixels), "frame 9 differs from the file's, subtracted");

        using var missing = await _http.SendAsync(Get($"/live/runs/frame?exam={LiveFeedTestServer.Exam}&run=RUN-1&frame=13"));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, missing.StatusCode);
        using var unknown = await _http.SendAsync(Get($"/live/runs/frame?exam={LiveFeedTestServer.Exam}&run=RUN-4&frame=1"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var anonymous = await _http.SendAsync(Get($"/live/runs?exam={LiveFeedTestServer.Exam}", token: null));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var foreign = await _http.SendAsync(Get($"/live/runs?exam={LiveFeedTestServer.Exam}", LiveFeedTestServer.OtherExamToken));
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Contains(_server.Audit.Recent(), r => r.Action == "fetch-lossless" && r.Transport == "http" && r.Detail == "run RUN-1 frame 9");
    }
}
