using System.Threading.Channels;
using CathLab.Acquisition.Frames;

namespace CathLab.Acquisition.Distribution;

/// <summary>One consumer's bounded queue of frames. The consumer reads frames and must release each one.</summary>
public sealed class FrameQueue
{
    private readonly Channel<Frame> _channel;
    private long _dropped;
    private long _delivered;

    internal FrameQueue(string name, int capacity, ConsumerPolicy policy)
    {
        Name = name;
        Policy = policy;
        _channel = Channel.CreateBounded<Frame>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string Name { get; }
    public ConsumerPolicy Policy { get; }
    public long Dropped => Interlocked.Read(ref _dropped);
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>True once a frame was dropped for a consumer that must not lose any.</summary>
    public bool HasLostFrames => Policy == ConsumerPolicy.MustNotLose && Dropped > 0;

    public ChannelReader<Frame> Reader => _channel.Reader;

    /// <summary>Called on the publisher's thread after a frame is queued and after the queue is completed, so that a
    /// consumer blocked on its own thread wakes without the allocation an async wait can cost.</summary>
    internal Action? Signal { get; set; }

    internal void Offer(Frame frame)
    {
        frame.Retain();
        if (_channel.Writer.TryWrite(frame))
        {
            Interlocked.Increment(ref _delivered);
            Signal?.Invoke();
            return;
        }
        frame.Release();
        Interlocked.Increment(ref _dropped);
    }

    internal void Complete()
    {
        _channel.Writer.TryComplete();
        Signal?.Invoke();
    }

    /// <summary>Releases every frame still queued (the consumer has gone).</summary>
    internal void Drain()
    {
        while (_channel.Reader.TryRead(out var frame)) frame.Release();
    }
}
