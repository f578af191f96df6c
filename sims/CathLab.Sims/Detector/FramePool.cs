using System.Collections.Concurrent;

namespace CathLab.Sims.Detector;

/// <summary>A fixed set of frame buffers, each big enough for a 1024×1024 16-bit frame, allocated once.</summary>
public sealed class FramePool
{
    public const int BufferBytes = 1024 * 1024 * sizeof(ushort);
    private readonly ConcurrentQueue<FrameBuffer> _free = new();

    public FramePool(int count)
    {
        Capacity = count;
        for (int i = 0; i < count; i++)
        {
            _free.Enqueue(new FrameBuffer(this, BufferBytes));
        }
    }

    public int Capacity { get; }
    public int Available => _free.Count;

    /// <summary>A buffer with one reference held by the caller, or null when every buffer is in use.</summary>
    public FrameBuffer? TryRent()
    {
        if (!_free.TryDequeue(out var buffer))
        {
            return null;
        }
        buffer.Reset();
        return buffer;
    }

    internal void Return(FrameBuffer buffer) => _free.Enqueue(buffer);
}
