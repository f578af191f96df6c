using System.Net.Sockets;
using System.Runtime.InteropServices;
using CathLab.Wire.FrameLink;

namespace CathLab.Sims.Tests.Detector;

/// <summary>A frame-link client for tests: a real TCP connection, messages read whole.</summary>
internal sealed class FrameLinkTestClient : IDisposable
{
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly FrameLinkStreamReader _reader;

    private FrameLinkTestClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new FrameLinkStreamReader(_stream);
    }

    public FrameHeader Hello { get; private set; }

    public static async Task<FrameLinkTestClient> ConnectAsync(int port, int receiveBufferBytes = 0)
    {
        var tcp = new TcpClient();
        if (receiveBufferBytes > 0)
        {
            tcp.ReceiveBufferSize = receiveBufferBytes;
        }
        await tcp.ConnectAsync("127.0.0.1", port);
        var client = new FrameLinkTestClient(tcp);
        var hello = await client.ReadAsync();
        Assert.Equal(FrameLinkMessageType.Hello, hello.Header.Type);
        client.Hello = hello.Header;
        return client;
    }

    public async Task SendAsync(FrameLinkRequest request)
    {
        var bytes = new byte[FrameLinkRequest.Size];
        request.Write(bytes);
        await SendRawAsync(bytes);
    }

    public async Task SendRawAsync(byte[] bytes)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        await _stream.WriteAsync(bytes, guard.Token);
    }

    /// <summary>Sends a request and waits for its acknowledgement.</summary>
    public async Task RequestAsync(FrameLinkRequest request)
    {
        await SendAsync(request);
        var reply = await ReadAsync();
        Assert.Equal(FrameLinkMessageType.Ack, reply.Header.Type);
        Assert.Equal(request, FrameLinkAck.Read(reply.Payload));
    }

    public async Task<Message> ReadAsync()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        var header = await _reader.ReadHeaderAsync(guard.Token);
        var payload = new byte[header.PayloadLength];
        await _reader.ReadPayloadAsync(header, payload, guard.Token);
        return new Message(header, payload);
    }

    /// <summary>Reads until a message of <paramref name="type"/> arrives, skipping none: anything else fails.</summary>
    public async Task<Message> ReadExpectingAsync(FrameLinkMessageType type)
    {
        var message = await ReadAsync();
        Assert.Equal(type, message.Header.Type);
        return message;
    }

    /// <summary>True when the server closed the connection (end of stream) within the hang guard.</summary>
    public async Task<bool> ServerClosedAsync()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        var one = new byte[1];
        try
        {
            return await _stream.ReadAsync(one, guard.Token) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }

    internal sealed record Message(FrameHeader Header, byte[] Payload)
    {
        public ReadOnlySpan<ushort> Pixels => MemoryMarshal.Cast<byte, ushort>(Payload);
    }
}
