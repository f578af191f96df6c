using System.Buffers;

namespace CathLab.Processing.Frames;

/// <summary>A frame whose pixels live in a buffer rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
/// <remarks>Disposing returns the buffer.
/// The station's frame pool hands out spans instead: every processing
/// API takes <see cref="ReadOnlySpan{T}"/>/<see cref="Span{T}"/>, so either source plugs in.</remarks>
public sealed class PooledFrame : IDisposable
{
    private ushort[]? _buffer;

    public PooledFrame(FrameGeometry geometry)
    {
        geometry.Validate();
        Geometry = geometry;
        _buffer = ArrayPool<ushort>.Shared.Rent(geometry.PixelCount);
    }

    public FrameGeometry Geometry { get; }

    public Span<ushort> Pixels => (_buffer ?? throw new ObjectDisposedException(nameof(PooledFrame))).AsSpan(0, Geometry.PixelCount);

    public Memory<ushort> Memory => (_buffer ?? throw new ObjectDisposedException(nameof(PooledFrame))).AsMemory(0, Geometry.PixelCount);

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) ArrayPool<ushort>.Shared.Return(buffer);
    }
}
