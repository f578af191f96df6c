namespace CathLab.Sims.Generator;

/// <summary>Writes frames to a serial stream on a thread of its own, in order, from a bounded queue of pre-allocated
/// slots. A caller never waits for the line: when the pty peer is gone, System.IO.Ports blocks each write up to its
/// timeout, and the generator's state machine (which publishes events under its lock) must keep running meanwhile.
/// A frame that finds the queue full is dropped and counted, as a real UART's transmit buffer overflows into nothing;
/// the protocol recovers it (the station retries commands, events are sent again until acknowledged).
/// Re-sends wait in a lane of their own behind everything else, so a backlog being sent again never delays an answer.</summary>
public sealed class SerialFrameWriter : IDisposable
{
    private readonly Action<ReadOnlyMemory<byte>> _write;
    private readonly FrameRing _first;
    private readonly FrameRing _resends;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _ready = new(0);
    private readonly Thread _thread;
    private volatile bool _stopped;
    private long _dropped;
    private long _failed;

    /// <param name="write">Writes one frame (may block, may throw <see cref="IOException"/> and the like).</param>
    /// <param name="capacity">Frames each lane holds (answers and first sends; re-sends).</param>
    public SerialFrameWriter(Action<ReadOnlyMemory<byte>> write, int capacity, int maxFrame, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _write = write;
        _first = new FrameRing(capacity, maxFrame);
        _resends = new FrameRing(capacity, maxFrame);
        // As urgent as the pulse thread that produces most frames: a starved writer would only make the queue overflow.
        _thread = new Thread(WriteLoop) { IsBackground = true, Name = name, Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>Frames dropped because their lane was full (the line stalled or is gone).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Writes that failed or timed out.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Queues a copy of <paramref name="frame"/>, a re-send behind every frame that is not one; returns false
    /// (and counts it) when its lane is full.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> frame, bool resend = false)
    {
        if (_stopped) return false;
        lock (_gate)
        {
            if (!(resend ? _resends : _first).TryAdd(frame))
            {
                Interlocked.Increment(ref _dropped);
                return false;
            }
        }
        _ready.Release();
        return true;
    }

    private void WriteLoop()
    {
        var frame = new byte[_first.MaxFrame];
        while (!_stopped)
        {
            _ready.Wait(50);
            while (!_stopped && TryDequeue(frame, out int length))
            {
                try
                {
                    _write(frame.AsMemory(0, length));
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException or UnauthorizedAccessException)
                {
                    Interlocked.Increment(ref _failed);
                }
            }
        }
    }

    private bool TryDequeue(byte[] frame, out int length)
    {
        lock (_gate) return _first.TryTake(frame, out length) || _resends.TryTake(frame, out length);
    }

    /// <summary>Stops the writer; a write blocked on a dead line is left to finish (or time out) on its own.</summary>
    public void Dispose()
    {
        _stopped = true;
        _ready.Release();
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    /// <summary>A first-in first-out ring of pre-allocated frame slots; the writer's lock guards it.</summary>
    private sealed class FrameRing
    {
        private readonly byte[][] _slots;
        private readonly int[] _lengths;
        private int _head;
        private int _count;

        public FrameRing(int capacity, int maxFrame)
        {
            _slots = new byte[capacity][];
            for (int i = 0; i < capacity; i++) _slots[i] = new byte[maxFrame];
            _lengths = new int[capacity];
            MaxFrame = maxFrame;
        }

        public int MaxFrame { get; }

        public bool TryAdd(ReadOnlySpan<byte> frame)
        {
            if (_count == _slots.Length) return false;
            int tail = (_head + _count) % _slots.Length;
            frame.CopyTo(_slots[tail]);
            _lengths[tail] = frame.Length;
            _count++;
            return true;
        }

        public bool TryTake(byte[] frame, out int length)
        {
            if (_count == 0)
            {
                length = 0;
                return false;
            }
            length = _lengths[_head];
            _slots[_head].AsSpan(0, length).CopyTo(frame);
            _head = (_head + 1) % _slots.Length;
            _count--;
            return true;
        }
    }
}
