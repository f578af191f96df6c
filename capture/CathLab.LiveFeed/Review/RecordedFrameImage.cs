using System.Runtime.InteropServices;
using CathLab.Dicom.Data;

namespace CathLab.LiveFeed.Review;

/// <summary>A recorded frame as the live feed's encoders take it: the stored pixels widened to 16 bits (the lossless
/// image) and an 8-bit display image. The display window is the range of the first frame converted after
/// <see cref="ResetWindow"/> (a 14-bit detector is stored in 16 bits, so the stored bit range would show it nearly black),
/// and stays for the frames after it so that playback does not flicker. Buffers are made once per frame size and reused.</summary>
internal sealed class RecordedFrameImage
{
    private byte[] _stored = [];
    private int _low;
    private int _high = -1;

    public ushort[] Processed { get; private set; } = [];

    public byte[] Display { get; private set; } = [];

    public int Width { get; private set; }

    public int Height { get; private set; }

    public int BitsStored { get; private set; }

    /// <summary>Buffer the caller reads the stored frame into (the format's frame length), then calls <see cref="Convert"/>.</summary>
    public Span<byte> StoredBuffer(DicomFrameFormat format, int bitsStored)
    {
        if (format.SamplesPerPixel != 1) throw new NotSupportedException("only monochrome runs are reviewed");
        Width = format.Columns;
        Height = format.Rows;
        BitsStored = Math.Clamp(bitsStored, 1, format.BitsAllocated);
        if (_stored.Length != format.FrameLength) _stored = new byte[format.FrameLength];
        if (Processed.Length != format.PixelCount)
        {
            Processed = new ushort[format.PixelCount];
            Display = new byte[format.PixelCount];
        }
        return _stored;
    }

    public void Convert()
    {
        int n = Processed.Length;
        if (_stored.Length == n)
        {
            for (int i = 0; i < n; i++) Processed[i] = _stored[i];
        }
        else
        {
            MemoryMarshal.Cast<byte, ushort>(_stored).CopyTo(Processed);
        }
        if (_high < 0) FitWindow();
        int low = _low;
        int range = Math.Max(1, _high - _low);
        for (int i = 0; i < n; i++)
        {
            int v = Math.Clamp(Processed[i] - low, 0, range);
            Display[i] = (byte)(v * 255 / range);
        }
    }

    /// <summary>The next frame converted sets the display window.</summary>
    public void ResetWindow() => _high = -1;

    private void FitWindow()
    {
        int low = int.MaxValue, high = 0;
        for (int i = 0; i < Processed.Length; i += 7)
        {
            int v = Processed[i];
            if (v < low) low = v;
            if (v > high) high = v;
        }
        (_low, _high) = low > high ? (0, (1 << BitsStored) - 1) : (low, high);
    }
}
