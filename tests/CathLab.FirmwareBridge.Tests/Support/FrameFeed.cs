using System.Net.Sockets;
using System.Runtime.InteropServices;
using CathLab.Wire.FrameLink;

namespace CathLab.FirmwareBridge.Tests.Support;

/// <summary>A frame-link client that subscribes to one detector and hands every exposed frame (pixels and header)
/// to a callback on its own task. The station's real frame source lives in capture/; this is the test's.</summary>
public sealed class FrameFeed : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public delegate void FrameHandler(FrameHeader header, ReadOnlySpan<ushort> pixels);

    private FrameFeed(TcpClient client, Task loop)
    {
        _client = client;
        _loop = loop;
    }

    public long Frames { get; private set; }
    public Exception? Error { get; private set; }

    public static async Task<FrameFeed> SubscribeAsync(int port, FrameHandler onFrame)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var reader = new FrameLinkStreamReader(stream);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var hello = await reader.ReadHeaderAsync(guard.Token);
        Assert.Equal(FrameLinkMessageType.Hello, hello.Type);
        var request = new byte[FrameLinkRequest.Size];
        FrameLinkRequest.Subscribe.Write(request);
        await stream.WriteAsync(request, guard.Token);
        while (true)
        {
            var header = await reader.ReadHeaderAsync(guard.Token);
            if (header.PayloadLength > 0) await reader.ReadPayloadAsync(header, new byte[header.PayloadLength], guard.Token);
            if (header.Type == FrameLinkMessageType.Ack) break;
            Assert.NotEqual(FrameLinkMessageType.Error, header.Type);
        }
        FrameFeed? feed = null;
        var started = new TaskCompletionSource<FrameFeed>();
        var loop = Task.Run(async () =>
        {
            var self = await started.Task;
            var buffer = new byte[1024 * 1024 * 2];
            try
            {
                while (!self._stop.IsCancellationRequested)
                {
                    var header = await reader.ReadHeaderAsync(self._stop.Token);
                    if (header.PayloadLength > buffer.Length) buffer = new byte[header.PayloadLength];
                    await reader.ReadPayloadAsync(header, buffer, self._stop.Token);
                    if (header.Type != FrameLinkMessageType.Frame) continue;
                    var pixels = MemoryMarshal.Cast<byte, ushort>(buffer.AsSpan(0, (int)header.PayloadLength));
                    onFrame(header, pixels);
                    self.Frames++;
                }
            }
            catch (Exception e) when (e is OperationCanceledException or EndOfStreamException or IOException or ObjectDisposedException)
            {
            }
            catch (Exception e)
            {
                self.Error = e;
            }
        });
        feed = new FrameFeed(client, loop);
        started.SetResult(feed);
        return feed;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _client.Dispose();
        try { await _loop.WaitAsync(TimeSpan.FromSeconds(10)); } catch (TimeoutException) { }
        _stop.Dispose();
    }
}
