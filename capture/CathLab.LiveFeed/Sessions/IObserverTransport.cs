using CathLab.LiveFeed.Protocol;

namespace CathLab.LiveFeed.Sessions;

/// <summary>How a session's messages reach its observer (a gRPC stream, a WebSocket). Called from the
/// session's one writer loop, never concurrently.</summary>
public interface IObserverTransport
{
    string Name { get; }

    ValueTask SendFrameAsync(OutgoingFrame frame, long sentUnixMicroseconds, CancellationToken cancellation);

    ValueTask SendEventAsync(ExamEvent examEvent, CancellationToken cancellation);

    ValueTask SendNoticeAsync(SessionNotice notice, CancellationToken cancellation);
}
