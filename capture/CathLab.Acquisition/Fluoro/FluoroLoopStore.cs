using CathLab.Acquisition.Frames;

namespace CathLab.Acquisition.Fluoro;

/// <summary>Keeps a copy of the last frames of fluoro (raw pixels and their <see cref="FrameInfo"/>) in buffers
/// allocated once, so that "save the last N seconds" can turn live fluoro into a recorded run. Cleared at the
/// start of each fluoro run. Adding never waits: while a save reads the ring, new frames are not kept (counted in
/// <see cref="Skipped"/>).</summary>
public sealed class FluoroLoopStore
{
    private readonly ushort[][] _pixels;
    private readonly FrameInfo[] _infos;
    private int _busy;
    private int _clearPending;
    private int _next;
    private int _count;
    private long _skipped;
    private long _stored;

    public FluoroLoopStore(FluoroLoopOptions options)
    {
        options.Validate();
        Options = options;
        int capacity = options.Capacity;
        _pixels = new ushort[capacity][];
        for (int i = 0; i < capacity; i++) _pixels[i] = new ushort[options.MaxPixels];
        _infos = new FrameInfo[capacity];
    }

    public FluoroLoopOptions Options { get; }

    /// <summary>How many frames the ring holds: the configured seconds at the maximum fluoro rate.</summary>
    public int Capacity => _pixels.Length;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Frames kept since the store was made.</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Frames not kept: a save was reading the ring, or the frame was larger than the buffers.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Forgets every frame (a new fluoro run begins); during a save it happens when the save ends.</summary>
    public void Clear()
    {
        Volatile.Write(ref _clearPending, 1);
        if (!TryAcquire()) return;
        ApplyPendingClear();
        Volatile.Write(ref _busy, 0);
    }

    /// <summary>Copies one frame into the ring, overwriting the oldest when it is full.</summary>
    /// <returns>False when the frame was not kept.</returns>
    public bool Add(in FrameInfo info, ReadOnlySpan<ushort> pixels)
    {
        if (pixels.Length > Options.MaxPixels || !TryAcquire())
        {
            Interlocked.Increment(ref _skipped);
            return false;
        }
        try
        {
            ApplyPendingClear();
            pixels.CopyTo(_pixels[_next]);
            _infos[_next] = info;
            _next = (_next + 1) % Capacity;
            if (_count < Capacity) Volatile.Write(ref _count, _count + 1);
            Interlocked.Increment(ref _stored);
            return true;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Hands the frames of the last <paramref name="duration"/> (by the frames' timestamps, up to the newest)
    /// to <paramref name="visitor"/>, oldest first, straight from the ring.</summary>
    /// <returns>How many frames were visited.</returns>
    public int Save(TimeSpan duration, LoopFrameVisitor visitor)
    {
        int visited = 0;
        foreach (var frame in Last(duration))
        {
            visitor(frame.Info, frame.Pixels.Span);
            visited++;
        }
        return visited;
    }

    /// <summary>The frames of the last <paramref name="duration"/>, oldest first, as views of the ring's buffers.
    /// The ring is held for reading until the enumeration ends (dispose the enumerator; foreach does), and the
    /// pixels are valid only until then.</summary>
    public IEnumerable<LoopFrame> Last(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(duration), duration, "the duration to save must be positive");
        return Enumerate(duration);
    }

    private IEnumerable<LoopFrame> Enumerate(TimeSpan duration)
    {
        var spin = new SpinWait();
        while (!TryAcquire()) spin.SpinOnce();
        try
        {
            ApplyPendingClear();
            if (_count == 0) yield break;
            int capacity = Capacity;
            int newest = (_next - 1 + capacity) % capacity;
            long newestTime = _infos[newest].TimestampMicroseconds;
            long span = (long)duration.TotalMicroseconds;
            int take = 0;
            while (take < _count && newestTime - _infos[(newest - take + capacity) % capacity].TimestampMicroseconds <= span) take++;
            for (int k = take - 1; k >= 0; k--)
            {
                int slot = (newest - k + capacity) % capacity;
                var info = _infos[slot];
                yield return new LoopFrame(info, _pixels[slot].AsMemory(0, Math.Min(info.PixelCount, _pixels[slot].Length)));
            }
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private bool TryAcquire() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

    private void ApplyPendingClear()
    {
        if (Interlocked.Exchange(ref _clearPending, 0) == 0) return;
        _next = 0;
        Volatile.Write(ref _count, 0);
    }
}

/// <summary>Receives one saved frame; the pixels are valid only during the call.</summary>
public delegate void LoopFrameVisitor(in FrameInfo info, ReadOnlySpan<ushort> pixels);

/// <summary>One frame of the fluoro loop, a view of the ring's buffer.</summary>
public readonly record struct LoopFrame(FrameInfo Info, ReadOnlyMemory<ushort> Pixels);

/// <summary>How much fluoro the loop keeps: <see cref="Duration"/> at up to <see cref="MaxFrameRate"/> frames per
/// second, of at most <see cref="MaxPixels"/> pixels each (1024×1024 by default: 10 s at 15 fps is 300 MiB).</summary>
public sealed record FluoroLoopOptions
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public double MaxFrameRate { get; init; } = 15;

    public int MaxPixels { get; init; } = 1024 * 1024;

    public int Capacity => (int)Math.Ceiling(Duration.TotalSeconds * MaxFrameRate);

    public void Validate()
    {
        if (Duration <= TimeSpan.Zero || Duration > TimeSpan.FromMinutes(2))
            throw new ArgumentOutOfRangeException(nameof(Duration), Duration, "the fluoro loop keeps between 0 and 120 seconds");
        if (!(MaxFrameRate >= 1 && MaxFrameRate <= 60))
            throw new ArgumentOutOfRangeException(nameof(MaxFrameRate), MaxFrameRate, "the maximum fluoro rate must be in [1, 60] frames per second");
        if (MaxPixels < 1 || MaxPixels > 4096 * 4096)
            throw new ArgumentOutOfRangeException(nameof(MaxPixels), MaxPixels, "frame size must be in [1, 4096×4096] pixels");
    }
}
