using System.Threading.Channels;
using CathLab.LiveFeed.Protocol;

namespace CathLab.LiveFeed.Sessions;

/// <summary>A bounded queue of exam events for one subscriber; when full the oldest event goes.</summary>
public sealed class EventSubscription
{
    private readonly Channel<ExamEvent> _events;
    private readonly Action? _onEvent;
    private long _lost;

    public EventSubscription(string examId, Action? onEvent = null, int capacity = 256)
    {
        ExamId = examId;
        _onEvent = onEvent;
        _events = Channel.CreateBounded<ExamEvent>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _lost));
    }

    public string ExamId { get; }

    public long Lost => Interlocked.Read(ref _lost);

    public ChannelReader<ExamEvent> Reader => _events.Reader;

    public void Offer(ExamEvent examEvent)
    {
        if (examEvent.ExamId != ExamId) return;
        _events.Writer.TryWrite(examEvent);
        _onEvent?.Invoke();
    }
}
