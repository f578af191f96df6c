using System.Runtime.InteropServices;

namespace CathLab.Acquisition.Frames;

/// <summary>One pooled frame buffer. It is handed along by reference, never copied: each holder takes a reference
/// with <see cref="Retain"/> and gives it back with <see cref="Release"/>; the last release returns it to its pool.</summary>
public sealed class Frame
{
    private readonly FramePool _pool;
    private readonly byte[] _bytes;
    private int _references;

    internal Frame(FramePool pool, int maxPixels)
    {
        _pool = pool;
        _bytes = GC.AllocateArray<byte>(maxPixels * sizeof(ushort), pinned: true);
    }

    public FrameInfo Info { get; set; }

    public Span<ushort> Pixels => MemoryMarshal.Cast<byte, ushort>(_bytes.AsSpan(0, Info.PixelCount * sizeof(ushort)));

    /// <summary>The pixel bytes of a frame of <paramref name="pixelCount"/> pixels, for readers that fill the buffer.</summary>
    public Memory<byte> BytesFor(int pixelCount) => _bytes.AsMemory(0, pixelCount * sizeof(ushort));

    internal void Rent() => Volatile.Write(ref _references, 1);

    public void Retain()
    {
        if (Interlocked.Increment(ref _references) <= 1) throw new InvalidOperationException("a frame was retained after it went back to its pool");
    }

    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left == 0) _pool.Return(this);
        else if (left < 0) throw new InvalidOperationException("a frame was released more often than it was retained");
    }
}
