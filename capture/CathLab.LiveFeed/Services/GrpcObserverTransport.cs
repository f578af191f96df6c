using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Sessions;
using Google.Protobuf;
using Grpc.Core;

namespace CathLab.LiveFeed.Services;

/// <summary>Writes a session's messages to a gRPC response stream; frame bytes are wrapped, not copied: the
/// session keeps the pooled image alive until WriteAsync has completed (the message is serialized by then).
/// For the same reason one frame message is reused for every frame of the session: the writer loop sends one
/// message at a time and the stream keeps no reference to it once the write has completed.</summary>
internal sealed class GrpcObserverTransport(IServerStreamWriter<LiveMessage> stream) : IObserverTransport
{
    private readonly LiveMessage _frameMessage = new() { Frame = new LiveFrame() };

    public string Name => "grpc";

    public async ValueTask SendFrameAsync(OutgoingFrame frame, long sentUnixMicroseconds, CancellationToken cancellation)
    {
        var f = _frameMessage.Frame;
        f.FrameNumber = (ulong)frame.FrameNumber;
        f.ReadyUnixUs = frame.ReadyUnixMicroseconds;
        f.SentUnixUs = sentUnixMicroseconds;
        f.Tier = frame.Tier;
        f.Encoding = frame.Encoding;
        f.Width = (uint)frame.Width;
        f.Height = (uint)frame.Height;
        f.SourceWidth = (uint)frame.SourceWidth;
        f.SourceHeight = (uint)frame.SourceHeight;
        f.Level = (uint)frame.Level;
        f.Data = UnsafeByteOperations.UnsafeWrap(frame.Data);
        f.RunId = frame.RunId;
        f.LastImageHold = frame.LastImageHold;
        f.Probe = frame.Probe;
        f.KeyFrame = frame.KeyFrame;
        f.Sequence = (ulong)frame.Sequence;
        try
        {
            await stream.WriteAsync(_frameMessage, cancellation);
        }
        finally
        {
            f.Data = ByteString.Empty; // the pooled bytes go back to their pool after this; drop the view of them
        }
    }

    public async ValueTask SendEventAsync(ExamEvent examEvent, CancellationToken cancellation) =>
        await stream.WriteAsync(new LiveMessage { Event = examEvent }, cancellation);

    public async ValueTask SendNoticeAsync(SessionNotice notice, CancellationToken cancellation) =>
        await stream.WriteAsync(new LiveMessage { Notice = notice }, cancellation);
}
