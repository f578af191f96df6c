using System.Runtime.InteropServices;

namespace CathLab.Video;

/// <summary>One compressed frame, shared read-only by whoever sends or records it. Pooled and reference-counted:
/// each holder calls <see cref="Retain"/> and <see cref="Release"/>; the last release returns it to its pool,
/// whose next frame overwrites the bytes.</summary>
public sealed class EncodedVideoFrame
{
    private readonly EncodedVideoFramePool _pool;
    private byte[] _buffer;
    private int _holders;

    internal EncodedVideoFrame(EncodedVideoFramePool pool)
    {
        _pool = pool;
        _buffer = new byte[pool.InitialCapacity];
    }

    /// <summary>The frame's number in its stream (0 for the first frame encoded).</summary>
    public long Number { get; private set; }

    public bool IsKeyFrame { get; private set; }

    public int Length { get; private set; }

    /// <summary>The bitstream; valid while the caller holds a reference.</summary>
    public ReadOnlyMemory<byte> Data => new(_buffer, 0, Length);

    public ReadOnlySpan<byte> Span => new(_buffer, 0, Length);

    public void Retain()
    {
        if (Interlocked.Increment(ref _holders) <= 1) throw new InvalidOperationException("a video frame was retained after its last release");
    }

    public void Release()
    {
        int left = Interlocked.Decrement(ref _holders);
        if (left == 0) _pool.Return(this);
        else if (left < 0) throw new InvalidOperationException("a video frame was released more often than it was retained");
    }

    internal void OnRented() => Volatile.Write(ref _holders, 1);

    /// <summary>Encoder only, while it is the sole holder: the buffer grows by halves, so a steady stream stops growing it.</summary>
    internal void Fill(long number, bool keyFrame, IntPtr bytes, int length)
    {
        if (_buffer.Length < length) _buffer = new byte[Math.Max(length + length / 2, 4096)];
        Marshal.Copy(bytes, _buffer, 0, length);
        Number = number;
        IsKeyFrame = keyFrame;
        Length = length;
    }
}

/// <summary>The free frames of one encoding; grows while holders keep more than it has, and keeps what it made.
/// Each buffer starts at <see cref="InitialCapacity"/>, room for several average frames of the encoding, so that
/// only an unusually large frame grows one.</summary>
public sealed class EncodedVideoFramePool(int initialCapacity = 16 * 1024)
{
    private readonly object _gate = new();
    private readonly Stack<EncodedVideoFrame> _free = new();

    /// <summary>A pool whose buffers hold 8 average frames of <paramref name="settings"/> (16 KB at least).</summary>
    public static EncodedVideoFramePool For(VideoEncoderSettings settings) =>
        new(Math.Max(16 * 1024, settings.TargetKbps * 1000 / 8 / settings.FramesPerSecond * 8));

    public int InitialCapacity { get; } = initialCapacity;

    /// <summary>Frames made so far, free or held.</summary>
    public int Created { get; private set; }

    internal EncodedVideoFrame Rent()
    {
        EncodedVideoFrame? frame;
        lock (_gate)
        {
            if (!_free.TryPop(out frame))
            {
                frame = new EncodedVideoFrame(this);
                Created++;
            }
        }
        frame.OnRented();
        return frame;
    }

    internal void Return(EncodedVideoFrame frame)
    {
        lock (_gate) _free.Push(frame);
    }
}
