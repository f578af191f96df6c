using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CathLab.LiveFeed.Tests.Support;
using CathLab.Testing;
using OpenCvSharp;
using Xunit.Abstractions;

namespace CathLab.LiveFeed.Tests;

/// <summary>The viewer in a real headless Chromium (Debian's chromium, from scripts/setup.sh), driven through
/// the DevTools protocol: frames and events must arrive, and a screenshot is kept.</summary>
public sealed class BrowserViewerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private LiveFeedTestServer _server = null!;
    private readonly string _profile = Directory.CreateTempSubdirectory("cathlab-chromium-").FullName;

    public async Task InitializeAsync() => _server = await LiveFeedTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        try
        {
            Directory.Delete(_profile, true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task TheViewerShowsLiveFramesAndEvents()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run scripts/setup.sh (Debian package chromium)");
        _server.Hub.PublishRunStarted("RUN-7", "cine", 15);
        using var pump = new FramePump(_server.Hub, SimulatedFrameSet.Full, 15).Start();
        string url = new Uri(_server.WebAddress, "/live/") + $"#token={LiveFeedTestServer.ObserverToken}&exam={LiveFeedTestServer.Exam}&autostart=1";
        using var browser = StartChromium(url);
        try
        {
            using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var page = await PageDebuggerUrl(hang.Token);
            using var devtools = new ClientWebSocket();
            await devtools.ConnectAsync(page, hang.Token);
            int id = 0;
            JsonNode? stats = null;
            while (true)
            {
                var reply = await Call(devtools, ++id, "Runtime.evaluate", new JsonObject { ["expression"] = "JSON.stringify(window.cathlabLive || null)", ["returnByValue"] = true }, hang.Token);
                string? json = reply["result"]?["result"]?["value"]?.GetValue<string>();
                stats = json is null ? null : JsonNode.Parse(json);
                if (stats is not null && stats["frames"]!.GetValue<int>() >= 15 && stats["events"]!.GetValue<int>() >= 1) break;
                await Task.Delay(250, hang.Token);
            }
            output.WriteLine($"viewer: {stats!.ToJsonString()}");
            _server.Hub.PublishDose(3.2, 0.8, 12);
            var shot = await Call(devtools, ++id, "Page.captureScreenshot", new JsonObject { ["format"] = "png" }, hang.Token);
            byte[] png = Convert.FromBase64String(shot["result"]!["data"]!.GetValue<string>());
            string path = Path.Combine(AppContext.BaseDirectory, "live-viewer.png");
            await File.WriteAllBytesAsync(path, png, hang.Token);
            output.WriteLine($"screenshot: {path}");

            using var image = Cv2.ImDecode(png, ImreadModes.Grayscale);
            Assert.False(image.Empty());
            // The canvas shows the X-ray image: its area must not be uniformly dark.
            using var canvasArea = new Mat(image, new Rect(12, 50, Math.Min(600, image.Width - 12), Math.Min(500, image.Height - 50)));
            Cv2.MeanStdDev(canvasArea, out var mean, out var stddev);
            Assert.True(stddev.Val0 > 5, $"the canvas looks empty (mean {mean.Val0:F1}, stddev {stddev.Val0:F1})");
            Assert.Equal("watching", stats["status"]!.GetValue<string>());
            Assert.Contains(_server.Hub.Sessions, s => s.Transport == "websocket" && s.FramesSent >= 15);
        }
        finally
        {
            if (browser.HasExited) output.WriteLine($"chromium exited early: {browser.Output}");
        }
    }

    private PeerProcess StartChromium(string url) => new(Chromium,
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--remote-debugging-port=0", "--window-size=1100,850", $"--user-data-dir={_profile}", url,
    ]);

    private async Task<Uri> PageDebuggerUrl(CancellationToken ct)
    {
        string portFile = Path.Combine(_profile, "DevToolsActivePort");
        while (!File.Exists(portFile) || (await File.ReadAllLinesAsync(portFile, ct)).Length < 1) await Task.Delay(100, ct);
        int port = int.Parse((await File.ReadAllLinesAsync(portFile, ct))[0], System.Globalization.CultureInfo.InvariantCulture);
        using var http = new HttpClient();
        while (true)
        {
            var targets = await http.GetFromJsonAsync<JsonArray>($"http://127.0.0.1:{port}/json/list", ct);
            var page = targets?.FirstOrDefault(t => t?["type"]?.GetValue<string>() == "page");
            if (page?["webSocketDebuggerUrl"]?.GetValue<string>() is { } ws) return new Uri(ws);
            await Task.Delay(100, ct);
        }
    }

    private static async Task<JsonNode> Call(ClientWebSocket socket, int id, string method, JsonObject parameters, CancellationToken ct)
    {
        var request = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        await socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, true, ct);
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, ct);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            var node = JsonNode.Parse(message.ToArray())!;
            if (node["id"]?.GetValue<int>() == id) return node;
        }
    }
}
