namespace CathLab.LiveFeed.Frames;

/// <summary>The bounded hand-over from <c>PublishFrame</c> to the encoder thread. Adding never waits (a full
/// queue refuses); the encoder blocks on a semaphore, which unlike an awaited channel read allocates nothing
/// per frame.</summary>
internal sealed class EncoderQueue(int capacity)
{
    private readonly object _gate = new();
    private readonly FrameSlot[] _ring = new FrameSlot[capacity];
    private readonly SemaphoreSlim _queued = new(0);
    private int _head;
    private int _count;
    private bool _completed;

    /// <summary>False when the queue is full or completed; the caller keeps the slot.</summary>
    public bool TryAdd(FrameSlot slot)
    {
        lock (_gate)
        {
            if (_completed || _count == _ring.Length) return false;
            _ring[(_head + _count) % _ring.Length] = slot;
            _count++;
        }
        _queued.Release();
        return true;
    }

    /// <summary>Encoder thread: the next slot, waiting for one; null once the queue is completed.</summary>
    public FrameSlot? Take()
    {
        _queued.Wait();
        lock (_gate)
        {
            return _completed ? null : TakeLocked();
        }
    }

    /// <summary>After completion: slots still queued, for the caller to release.</summary>
    public FrameSlot? TryTakeLeft()
    {
        lock (_gate) return _count == 0 ? null : TakeLocked();
    }

    public void Complete()
    {
        lock (_gate) _completed = true;
        _queued.Release();
    }

    private FrameSlot TakeLocked()
    {
        var slot = _ring[_head];
        _ring[_head] = null!;
        _head = (_head + 1) % _ring.Length;
        _count--;
        return slot;
    }
}
