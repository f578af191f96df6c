using System.Runtime.InteropServices;
using CathLab.Wire.FrameLink;

namespace CathLab.Sims.Detector;

/// <summary>One rendered frame in a pooled buffer, shared by reference between the client writers
/// that send it; returns to its pool when the last holder releases it.</summary>
public sealed class FrameBuffer
{
    private readonly FramePool _owner;
    private int _references;

    internal FrameBuffer(FramePool owner, int capacityBytes)
    {
        _owner = owner;
        Bytes = new byte[capacityBytes];
    }

    /// <summary>Pixel bytes, little-endian 16-bit; only the first <see cref="PayloadLength"/> are the frame.</summary>
    public byte[] Bytes { get; }

    /// <summary>The header fields of the frame; the sequence is filled in per connection when sent.</summary>
    public FrameHeader Header { get; set; }

    public int PayloadLength => Header.Width * Header.Height * sizeof(ushort);

    public Span<ushort> Pixels(int width, int height) => MemoryMarshal.Cast<byte, ushort>(Bytes.AsSpan(0, width * height * sizeof(ushort)));

    public ReadOnlyMemory<byte> Payload => Bytes.AsMemory(0, PayloadLength);

    internal void Reset() => Volatile.Write(ref _references, 1);

    public void AddReference() => Interlocked.Increment(ref _references);

    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            _owner.Return(this);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("frame buffer released more often than referenced");
        }
    }
}
