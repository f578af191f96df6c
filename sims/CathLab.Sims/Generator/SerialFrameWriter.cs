namespace CathLab.Sims.Generator;

/// <summary>Writes frames to a serial stream on a thread of its own, in order, from a bounded queue of pre-allocated
/// slots. A caller never waits for the line: when the pty peer is gone, System.IO.Ports blocks each write up to its
/// timeout, and the generator's state machine (which publishes events under its lock) must keep running meanwhile.
/// A frame that finds the queue full is dropped and counted, as a real UART's transmit buffer overflows into nothing;
/// the protocol recovers it (the station retries commands, events are sent again until acknowledged).</summary>
public sealed class SerialFrameWriter : IDisposable
{
    private readonly Action<ReadOnlyMemory<byte>> _write;
    private readonly byte[][] _slots;
    private readonly int[] _lengths;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _ready = new(0);
    private readonly Thread _thread;
    private int _head;
    private int _count;
    private volatile bool _stopped;
    private long _dropped;
    private long _failed;

    /// <param name="write">Writes one frame (may block, may throw <see cref="IOException"/> and the like).</param>
    public SerialFrameWriter(Action<ReadOnlyMemory<byte>> write, int capacity, int maxFrame, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _write = write;
        _slots = new byte[capacity][];
        for (int i = 0; i < capacity; i++) _slots[i] = new byte[maxFrame];
        _lengths = new int[capacity];
        // As urgent as the pulse thread that produces most frames: a starved writer would only make the queue overflow.
        _thread = new Thread(WriteLoop) { IsBackground = true, Name = name, Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>Frames dropped because the queue was full (the line stalled or is gone).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Writes that failed or timed out.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Queues a copy of <paramref name="frame"/>; returns false (and counts it) when the queue is full.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> frame)
    {
        if (_stopped) return false;
        lock (_gate)
        {
            if (_count == _slots.Length)
            {
                Interlocked.Increment(ref _dropped);
                return false;
            }
            int tail = (_head + _count) % _slots.Length;
            frame.CopyTo(_slots[tail]);
            _lengths[tail] = frame.Length;
            _count++;
        }
        _ready.Release();
        return true;
    }

    private void WriteLoop()
    {
        var frame = new byte[_slots[0].Length];
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
        lock (_gate)
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

    /// <summary>Stops the writer; a write blocked on a dead line is left to finish (or time out) on its own.</summary>
    public void Dispose()
    {
        _stopped = true;
        _ready.Release();
        _thread.Join(TimeSpan.FromSeconds(2));
    }
}
