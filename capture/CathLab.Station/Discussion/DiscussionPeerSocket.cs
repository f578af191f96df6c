using System.Threading.Channels;
using CathLab.Discussion;
using CathLab.Station.Web;

namespace CathLab.Station.Discussion;

/// <summary>One participant's WebSocket as the coordinator's peer: events go out in order through a queue; pointers
/// have their own path, one slot per other participant (latest wins), flushed at most every
/// <see cref="DiscussionLimits.PointerInterval"/>, so a flood is coalesced and never waits behind the event queue.</summary>
internal sealed class DiscussionPeerSocket(ConsoleSocket socket, TimeProvider clock) : IDiscussionPeer
{
    private readonly Channel<string> _events = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, string> _pointers = [];
    private readonly List<string> _flushing = [];
    private readonly Lock _pointerGate = new();

    public int PointersSent { get; private set; }

    public void Post(string message) => _events.Writer.TryWrite(message);

    public void Point(string fromParticipant, string message)
    {
        lock (_pointerGate) _pointers[fromParticipant] = message;
    }

    /// <summary>Sends until <paramref name="ct"/> ends or the socket goes.</summary>
    public Task RunAsync(CancellationToken ct) => Task.WhenAll(SendEventsAsync(ct), SendPointersAsync(ct));

    public void Complete() => _events.Writer.TryComplete();

    private async Task SendEventsAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var message in _events.Reader.ReadAllAsync(ct))
            {
                if (!await socket.SendAsync(message)) return;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SendPointersAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(DiscussionLimits.PointerInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                lock (_pointerGate)
                {
                    _flushing.Clear();
                    _flushing.AddRange(_pointers.Values);
                    _pointers.Clear();
                }
                foreach (var message in _flushing)
                {
                    if (!await socket.SendAsync(message)) return;
                    PointersSent++;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
