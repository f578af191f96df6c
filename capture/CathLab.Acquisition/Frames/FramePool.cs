namespace CathLab.Acquisition.Frames;

/// <summary>A fixed set of frame buffers allocated once at start. Renting never blocks and never allocates:
/// when every buffer is in use the caller is told so and drops the frame (acquisition never waits).</summary>
public sealed class FramePool
{
    private readonly Frame[] _free;
    private readonly Lock _gate = new();
    private int _count;
    private long _exhausted;

    public FramePool(int capacity, int maxPixels = 1024 * 1024)
    {
        if (capacity < 2) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a frame pool needs at least 2 buffers");
        _free = new Frame[capacity];
        for (int i = 0; i < capacity; i++) _free[i] = new Frame(this, maxPixels);
        _count = capacity;
        MaxPixelsPerFrame = maxPixels;
    }

    public int Capacity => _free.Length;

    public int MaxPixelsPerFrame { get; }

    public int Available
    {
        get { lock (_gate) return _count; }
    }

    /// <summary>How often a frame was wanted and none was free.</summary>
    public long Exhausted => Interlocked.Read(ref _exhausted);

    public bool TryRent(out Frame frame)
    {
        lock (_gate)
        {
            if (_count > 0)
            {
                frame = _free[--_count];
                _free[_count] = null!;
                frame.Rent();
                return true;
            }
        }
        Interlocked.Increment(ref _exhausted);
        frame = null!;
        return false;
    }

    internal void Return(Frame frame)
    {
        lock (_gate) _free[_count++] = frame;
    }
}
