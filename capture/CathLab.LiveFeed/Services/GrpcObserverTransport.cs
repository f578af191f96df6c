using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Sessions;
using Google.Protobuf;
using Grpc.Core;

namespace CathLab.LiveFeed.Services;

/// <summary>Writes a session's messages to a gRPC response stream; frame bytes are wrapped, not copied: the
/// session keeps the pooled image alive until WriteAsync has completed (the message is serialized by then).</summary>
internal sealed class GrpcObserverTransport(IServerStreamWriter<LiveMessage> stream) : IObserverTransport
{
    public string Name => "grpc";

    public async ValueTask SendFrameAsync(OutgoingFrame frame, long sentUnixMicroseconds, CancellationToken cancellation)
    {
        var image = frame.Image;
        var message = new LiveMessage
        {
            Frame = new LiveFrame
            {
                FrameNumber = (ulong)frame.FrameNumber,
                ReadyUnixUs = frame.ReadyUnixMicroseconds,
                SentUnixUs = sentUnixMicroseconds,
                Tier = image.Tier,
                Encoding = image.Variant.Encoding,
                Width = (uint)image.Width,
                Height = (uint)image.Height,
                SourceWidth = (uint)frame.SourceWidth,
                SourceHeight = (uint)frame.SourceHeight,
                Level = (uint)frame.Level,
                Data = UnsafeByteOperations.UnsafeWrap(image.Data),
                RunId = frame.RunId,
            },
        };
        await stream.WriteAsync(message, cancellation);
    }

    public async ValueTask SendEventAsync(ExamEvent examEvent, CancellationToken cancellation) =>
        await stream.WriteAsync(new LiveMessage { Event = examEvent }, cancellation);

    public async ValueTask SendNoticeAsync(SessionNotice notice, CancellationToken cancellation) =>
        await stream.WriteAsync(new LiveMessage { Notice = notice }, cancellation);
}
