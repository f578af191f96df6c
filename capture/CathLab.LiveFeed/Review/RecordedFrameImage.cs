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
    private DisplayWindow _storedWindow = DisplayWindow.Unset;
    private DisplayWindow _subtractedWindow = DisplayWindow.Unset;

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

    /// <summary>The stored frame widened into <see cref="Processed"/>, subtracted when <paramref name="subtraction"/>
    /// applies to <paramref name="frameNumber"/> (1-based), then windowed into <see cref="Display"/>. Subtracted and
    /// stored frames each keep their own window.</summary>
    public void Convert(DsaSubtraction? subtraction = null, int frameNumber = 0)
    {
        Widen();
        bool subtracted = subtraction?.Applies(frameNumber) == true;
        if (subtracted) subtraction!.Subtract(Processed, BitsStored);
        ref var window = ref subtracted ? ref _subtractedWindow : ref _storedWindow;
        if (window.High < 0) window = FitWindow();
        int low = window.Low;
        int range = Math.Max(1, window.High - window.Low);
        int n = Processed.Length;
        for (int i = 0; i < n; i++)
        {
            int v = Math.Clamp(Processed[i] - low, 0, range);
            Display[i] = (byte)(v * 255 / range);
        }
    }

    /// <summary>The stored frame widened into <see cref="Processed"/>, nothing more.</summary>
    public void Widen()
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
    }

    /// <summary>The next frame converted sets the display window.</summary>
    public void ResetWindow() => _storedWindow = _subtractedWindow = DisplayWindow.Unset;

    private DisplayWindow FitWindow()
    {
        int low = int.MaxValue, high = 0;
        for (int i = 0; i < Processed.Length; i += 7)
        {
            int v = Processed[i];
            if (v < low) low = v;
            if (v > high) high = v;
        }
        return low > high ? new DisplayWindow(0, (1 << BitsStored) - 1) : new DisplayWindow(low, high);
    }

    private record struct DisplayWindow(int Low, int High)
    {
        public static DisplayWindow Unset => new(0, -1);
    }
}
