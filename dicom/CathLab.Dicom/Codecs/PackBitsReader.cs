using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CathLab.Dicom.IO;

namespace CathLab.Dicom.Codecs;

/// <summary>
/// Reads one PackBits segment piece by piece. A packet may cross the end of a read (other encoders do not always
/// break packets at row ends), so the unfinished part of a packet is kept for the next read.
/// </summary>
internal ref struct PackBitsReader
{
    /// <summary>Bytes after the requested count that a read may scribble on, when the caller has them, to copy in whole vectors.</summary>
    public const int Slack = 32;

    private readonly ReadOnlySpan<byte> _segment;
    private int _position;
    private int _literalLeft;
    private int _repeatLeft;
    private byte _repeatValue;

    public PackBitsReader(ReadOnlySpan<byte> segment) => _segment = segment;

    /// <summary>
    /// Fills <c>output[..count]</c>; returns fewer bytes only when the segment ends first. Bytes of
    /// <paramref name="output"/> after <paramref name="count"/> may be overwritten.
    /// </summary>
    public int Read(scoped Span<byte> output, int count)
    {
        ref var dst = ref MemoryMarshal.GetReference(output);
        ref var src = ref MemoryMarshal.GetReference(_segment);
        var produced = 0;
        while (produced < count)
        {
            if (_repeatLeft > 0)
            {
                var n = Math.Min(_repeatLeft, count - produced);
                output.Slice(produced, n).Fill(_repeatValue);
                produced += n;
                _repeatLeft -= n;
            }
            else if (_literalLeft > 0)
            {
                var n = Math.Min(_literalLeft, count - produced);
                _segment.Slice(_position, n).CopyTo(output[produced..]);
                _position += n;
                produced += n;
                _literalLeft -= n;
            }
            else if (_position < _segment.Length)
            {
                var header = (sbyte)_segment[_position++];
                if (header >= 0)
                {
                    var n = header + 1;
                    if (_position + n > _segment.Length) throw new DicomFormatException("RLE literal run passes the end of its segment");
                    // Whole packet in whole vectors, where both sides have room for the overshoot.
                    var whole = (n + 31) & ~31;
                    if (Vector256.IsHardwareAccelerated && n <= count - produced && produced + whole <= output.Length && _position + whole <= _segment.Length)
                    {
                        for (var k = 0; k < n; k += 32)
                            Vector256.LoadUnsafe(ref src, (nuint)(_position + k)).StoreUnsafe(ref dst, (nuint)(produced + k));
                        _position += n;
                        produced += n;
                    }
                    else
                    {
                        _literalLeft = n;
                    }
                }
                else if (header != -128)
                {
                    if (_position >= _segment.Length) throw new DicomFormatException("RLE replicate run without its byte");
                    var value = _segment[_position++];
                    var n = 1 - header;
                    if (Vector256.IsHardwareAccelerated && n <= count - produced && produced + ((n + 31) & ~31) <= output.Length)
                    {
                        var fill = Vector256.Create(value);
                        for (var k = 0; k < n; k += 32) fill.StoreUnsafe(ref dst, (nuint)(produced + k));
                        produced += n;
                    }
                    else
                    {
                        _repeatValue = value;
                        _repeatLeft = n;
                    }
                }
            }
            else
            {
                break;
            }
        }
        return produced;
    }
}
