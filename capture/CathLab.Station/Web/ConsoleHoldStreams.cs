using System.Threading.Channels;
using Grpc.Core;
using Google.Protobuf;
using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Web;

/// <summary>The browser's held exposure button as the request stream of a <c>HoldPedal</c> call: the page's press,
/// renewals and release go in as the same messages a gRPC client sends, so the pedal's lease and release rules
/// (<see cref="Control.HeldPedalCall"/>) are the station's one dead-man, whatever carries it.</summary>
internal sealed class ConsoleHoldRequests : IAsyncStreamReader<Proto.PedalHoldRequest>
{
    private readonly Channel<Proto.PedalHoldRequest> _messages = Channel.CreateUnbounded<Proto.PedalHoldRequest>(new UnboundedChannelOptions { SingleReader = true });

    public Proto.PedalHoldRequest Current { get; private set; } = new();

    public void Add(Proto.PedalHoldRequest message) => _messages.Writer.TryWrite(message);

    /// <summary>The page's stream ended (its socket closed cleanly): the call sees the end of the client's stream.</summary>
    public void End() => _messages.Writer.TryComplete();

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (!await _messages.Reader.WaitToReadAsync(cancellationToken)) return false;
        Current = await _messages.Reader.ReadAsync(cancellationToken);
        return true;
    }
}

/// <summary>The <c>HoldPedal</c> call's replies as console messages: <c>held</c> (with the lease the page renews
/// within) answering the press's id, then <c>released</c> with the reason.</summary>
internal sealed class ConsoleHoldReplies(ConsoleSocket socket, long pressId) : IServerStreamWriter<Proto.PedalHoldReply>
{
    private volatile bool _released;

    public WriteOptions? WriteOptions { get; set; }

    /// <summary>The pedal is up and the page is being told so: the call is only returning.</summary>
    public bool Released => _released;

    public Task WriteAsync(Proto.PedalHoldReply message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(Proto.PedalHoldReply message, CancellationToken cancellationToken)
    {
        if (message.EventCase == Proto.PedalHoldReply.EventOneofCase.Held) return socket.SendAsync(ConsoleMessages.Reply("held", pressId, message.Held));
        _released = true;
        return socket.SendAsync(ConsoleMessages.Reply("released", pressId, message.Released));
    }
}
