using System.Net.Sockets;
using System.Runtime.InteropServices;
using CathLab.Wire.FrameLink;

namespace CathLab.Sims.Exerciser;

/// <summary>A frame-link client that subscribes to exposed frames and keeps statistics of what arrives:
/// count, sequence gaps, and the mean and spread of a centre region of the last frame.</summary>
public sealed class FrameProbe : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly FrameLinkStreamReader _reader;
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _pixels = new byte[1024 * 1024 * 2];
    private readonly Task _loop;
    private uint? _lastSequence;

    private FrameProbe(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _reader = new FrameLinkStreamReader(_stream);
        _loop = Task.Run(ReadLoop);
    }

    public static async Task<FrameProbe> ConnectAsync(string host, int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(host, port);
        var probe = new FrameProbe(client);
        await probe.SendAsync(FrameLinkRequest.Subscribe);
        return probe;
    }

    public long Frames { get; private set; }
    public long DarkFrames { get; private set; }
    public long MissingBySequence { get; private set; }
    public FrameHeader LastHeader { get; private set; }
    public double LastCentreMean { get; private set; }
    public double LastCentreStdDev { get; private set; }
    public string? Failure { get; private set; }

    public async Task SendAsync(FrameLinkRequest request)
    {
        var bytes = new byte[FrameLinkRequest.Size];
        request.Write(bytes);
        await _stream.WriteAsync(bytes);
    }

    private async Task ReadLoop()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var header = await _reader.ReadHeaderAsync(_stop.Token);
                await _reader.ReadPayloadAsync(header, _pixels.AsMemory(0, (int)header.PayloadLength), _stop.Token);
                if (header.Type is not (FrameLinkMessageType.Frame or FrameLinkMessageType.DarkFrame)) continue;
                if (_lastSequence is { } last && header.Sequence != last + 1) MissingBySequence += header.Sequence - last - 1;
                _lastSequence = header.Sequence;
                if (header.Type == FrameLinkMessageType.DarkFrame) DarkFrames++;
                else Frames++;
                LastHeader = header;
                MeasureCentre(header);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or EndOfStreamException or IOException or ObjectDisposedException)
        {
        }
        catch (InvalidDataException e)
        {
            Failure = e.Message;
        }
    }

    private void MeasureCentre(in FrameHeader header)
    {
        var pixels = MemoryMarshal.Cast<byte, ushort>(_pixels.AsSpan(0, header.Width * header.Height * 2));
        int side = header.Width / 8;
        int x0 = (header.Width - side) / 2, y0 = (header.Height - side) / 2;
        double sum = 0, sumSquares = 0;
        for (int y = y0; y < y0 + side; y++)
        {
            foreach (ushort p in pixels.Slice(y * header.Width + x0, side))
            {
                sum += p;
                sumSquares += (double)p * p;
            }
        }
        double n = (double)side * side;
        LastCentreMean = sum / n;
        LastCentreStdDev = Math.Sqrt(Math.Max(0, sumSquares / n - LastCentreMean * LastCentreMean));
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _client.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
