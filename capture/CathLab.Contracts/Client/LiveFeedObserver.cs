using CathLab.LiveFeed.Protocol;
using Grpc.Core;
using Grpc.Net.Client;

namespace CathLab.Contracts.Client;

/// <summary>A gRPC observer of the live feed: watches one exam, acknowledges each frame as soon as it is
/// handled (the server paces itself by these acknowledgements), and keeps statistics.</summary>
public sealed class LiveFeedObserver
{
    private readonly global::CathLab.LiveFeed.Protocol.LiveFeed.LiveFeedClient _client;
    private readonly Metadata _headers;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private IClientStreamWriter<ObserverMessage>? _requests;

    public LiveFeedObserver(GrpcChannel channel, string token, bool keepLatencies = false)
    {
        _client = new global::CathLab.LiveFeed.Protocol.LiveFeed.LiveFeedClient(channel);
        _headers = [new Metadata.Entry("authorization", "Bearer " + token)];
        Statistics = new ObserverStatistics(keepLatencies);
    }

    public ObserverStatistics Statistics { get; }

    /// <summary>A channel for <paramref name="address"/>; http:// speaks HTTP/2 without TLS.</summary>
    public static GrpcChannel CreateChannel(Uri address, bool acceptAnyServerCertificate = false)
    {
        // A receive window that holds a few diagnostic frames (0.5 MB each): with the default 64 KB one, every frame
        // waited for several window updates from this side, each a round trip through a busy thread pool. The
        // server paces itself by acknowledgements, so the larger window does not let it queue more than it would.
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, InitialHttp2StreamWindowSize = 4 * 1024 * 1024 };
        if (acceptAnyServerCertificate) handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, MaxReceiveMessageSize = 16 * 1024 * 1024 });
    }

    /// <summary>Watches until cancelled or the server ends the call. <paramref name="onFrame"/> runs before the acknowledgement.</summary>
    public async Task RunAsync(WatchRequest request, Action<LiveFrame>? onFrame, Action<ExamEvent>? onEvent, CancellationToken cancellation)
    {
        using var call = _client.Watch(_headers, cancellationToken: cancellation);
        _requests = call.RequestStream;
        await WriteAsync(new ObserverMessage { Watch = request }, cancellation);
        var ack = new ObserverMessage { Ack = new Ack() };
        var acknowledging = true;
        while (await call.ResponseStream.MoveNext(cancellation))
        {
            var m = call.ResponseStream.Current;
            switch (m.KindCase)
            {
                case LiveMessage.KindOneofCase.Frame:
                    Statistics.OnFrame(m.Frame, UnixClock.NowMicroseconds());
                    onFrame?.Invoke(m.Frame);
                    ack.Ack.FrameNumber = m.Frame.FrameNumber;
                    if (acknowledging) acknowledging = await TryAcknowledgeAsync(ack, cancellation);
                    break;
                case LiveMessage.KindOneofCase.Event:
                    Statistics.OnEvent();
                    onEvent?.Invoke(m.Event);
                    break;
                case LiveMessage.KindOneofCase.Notice:
                    Statistics.OnNotice(m.Notice);
                    break;
            }
        }
    }

    /// <summary>The server may end the call (the exam's end) while the last frame's acknowledgement is on its way;
    /// that write then fails although nothing went wrong. The call's outcome is the response stream's, so a failed
    /// acknowledgement only stops further ones and the next read says how the call ended.</summary>
    private async Task<bool> TryAcknowledgeAsync(ObserverMessage ack, CancellationToken cancellation)
    {
        try
        {
            await WriteAsync(ack, cancellation);
            return true;
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException && !cancellation.IsCancellationRequested)
        {
            return false;
        }
    }

    public Task MarkAsync(ulong frameNumber, CancellationToken cancellation) =>
        WriteAsync(new ObserverMessage { Mark = new MarkFrame { FrameNumber = frameNumber } }, cancellation);

    /// <summary>A video observer whose decoder lost the stream asks for a key frame (answered at most once in 0.5 s).</summary>
    public Task RequestKeyFrameAsync(CancellationToken cancellation) =>
        WriteAsync(new ObserverMessage { KeyFrame = new RequestKeyFrame() }, cancellation);

    public Task SetRateCapAsync(float maxFps, CancellationToken cancellation) =>
        WriteAsync(new ObserverMessage { RateCap = new SetRateCap { MaxFps = maxFps } }, cancellation);

    public async Task<FetchedFrame> FetchAsync(string examId, ulong frameNumber, CancellationToken cancellation) =>
        await _client.FetchFrameAsync(new FetchFrameRequest { ExamId = examId, FrameNumber = frameNumber }, _headers, cancellationToken: cancellation);

    private async Task WriteAsync(ObserverMessage message, CancellationToken cancellation)
    {
        var requests = _requests ?? throw new InvalidOperationException("not watching");
        await _writeGate.WaitAsync(cancellation);
        try
        {
            await requests.WriteAsync(message, cancellation);
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
