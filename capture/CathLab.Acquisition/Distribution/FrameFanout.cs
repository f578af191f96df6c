using CathLab.Acquisition.Frames;

namespace CathLab.Acquisition.Distribution;

/// <summary>Hands each acquired frame to every consumer's bounded queue without waiting for any of them: a slow
/// consumer loses frames and says so, the others do not notice.</summary>
public sealed class FrameFanout
{
    private readonly Lock _gate = new();
    private FrameQueue[] _queues = [];

    public FrameQueue Subscribe(string name, int capacity, ConsumerPolicy policy)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a consumer queue holds at least one frame");
        var queue = new FrameQueue(name, capacity, policy);
        lock (_gate) _queues = [.. _queues, queue];
        return queue;
    }

    public void Unsubscribe(FrameQueue queue)
    {
        lock (_gate) _queues = [.. _queues.Where(q => q != queue)];
        queue.Complete();
        queue.Drain();
    }

    public IReadOnlyList<FrameQueue> Queues => Volatile.Read(ref _queues);

    /// <summary>Offers the frame to every consumer, then gives up the publisher's own reference.</summary>
    public void Publish(Frame frame)
    {
        foreach (var queue in Volatile.Read(ref _queues)) queue.Offer(frame);
        frame.Release();
    }
}
