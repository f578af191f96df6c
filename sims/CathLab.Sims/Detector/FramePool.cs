using System.Collections.Concurrent;

namespace CathLab.Sims.Detector;

/// <summary>Frame buffers, each big enough for a 1024×1024 16-bit frame. A buffer is allocated the
/// first time the pool runs dry and reused for ever after, up to <see cref="Capacity"/>; a steady
/// frame rate therefore allocates nothing once the deepest backlog so far has been seen.</summary>
public sealed class FramePool
{
    public const int BufferBytes = 1024 * 1024 * sizeof(ushort);
    private readonly ConcurrentQueue<FrameBuffer> _free = new();
    private int _allocated;

    public FramePool(int capacity, int preallocate = 0)
    {
        Capacity = capacity;
        for (int i = 0; i < Math.Min(preallocate, capacity); i++)
        {
            _allocated++;
            _free.Enqueue(new FrameBuffer(this, BufferBytes));
        }
    }

    public int Capacity { get; }

    /// <summary>Buffers allocated so far (free or in use).</summary>
    public int Allocated => Volatile.Read(ref _allocated);

    /// <summary>A buffer with one reference held by the caller, or null when all <see cref="Capacity"/> are in use.</summary>
    public FrameBuffer? TryRent()
    {
        if (!_free.TryDequeue(out var buffer))
        {
            if (Interlocked.Increment(ref _allocated) > Capacity)
            {
                Interlocked.Decrement(ref _allocated);
                return null;
            }
            buffer = new FrameBuffer(this, BufferBytes);
        }
        buffer.Reset();
        return buffer;
    }

    internal void Return(FrameBuffer buffer) => _free.Enqueue(buffer);
}
