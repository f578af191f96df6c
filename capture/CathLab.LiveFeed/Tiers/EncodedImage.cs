using System.Runtime.InteropServices;
using CathLab.LiveFeed.Protocol;

namespace CathLab.LiveFeed.Tiers;

/// <summary>One frame encoded in one variant, shared read-only by every observer that receives it. Pooled and
/// reference-counted: whoever queues or sends it holds a reference (<see cref="Retain"/>), and the last
/// <see cref="Release"/> hands it back to its pool, whose next frame overwrites the buffer. So the bytes behind
/// <see cref="Data"/> stay unchanged for as long as the holder has not released.</summary>
public sealed class EncodedImage
{
    private readonly EncodedImagePool _pool;
    private byte[] _buffer = [];
    private int _references;

    internal EncodedImage(EncodedImagePool pool) => _pool = pool;

    public StreamVariant Variant => _pool.Variant;

    public Tier Tier => Variant.Tier;

    public int Width { get; private set; }

    public int Height { get; private set; }

    public int Length { get; private set; }

    /// <summary>The encoded bytes; valid only while the caller holds a reference.</summary>
    public ReadOnlyMemory<byte> Data => new(_buffer, 0, Length);

    /// <summary>For tests and diagnostics: holders right now (0 when it is back in its pool).</summary>
    public int References => Volatile.Read(ref _references);

    /// <summary>Bytes the buffer can hold before it has to grow.</summary>
    internal int Capacity => _buffer.Length;

    public void Retain()
    {
        if (Interlocked.Increment(ref _references) <= 1)
            throw new InvalidOperationException($"a {Variant.Tier} image was retained after its last release (it is back in the pool)");
    }

    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left == 0) _pool.Return(this);
        else if (left < 0) throw new InvalidOperationException($"a {Variant.Tier} image was released more often than it was retained");
    }

    /// <summary>Pool only: a rented image starts with the renter's one reference.</summary>
    internal void OnRented() => Volatile.Write(ref _references, 1);

    /// <summary>Encoder only, while it holds the sole reference: copies native encoder output into the buffer,
    /// which grows (with headroom, so that frame-to-frame size changes do not grow it again) only when too small.</summary>
    internal void Fill(int width, int height, IntPtr bytes, int length)
    {
        if (_buffer.Length < length) _buffer = new byte[GrownCapacity(length)];
        if (length > 0) Marshal.Copy(bytes, _buffer, 0, length);
        Width = width;
        Height = height;
        Length = length;
    }

    private static int GrownCapacity(int length)
    {
        long withHeadroom = length + (long)length / 4;
        const int granule = 16 * 1024;
        return (int)Math.Min(Array.MaxLength, (withHeadroom + granule - 1) / granule * granule);
    }
}
