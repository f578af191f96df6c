namespace CathLab.Processing.Display;

/// <summary>Where each product lies in the one output buffer a frame is processed into (one download
/// per frame on the OpenCL path): the display frame first, then the downscaled frame.</summary>
public readonly record struct DisplayLayout(int Width, int Height, OutputFormat Format, int DownscaleFactor)
{
    public int DisplayBytes => Width * Height * (Format == OutputFormat.Lut16 ? 2 : 1);

    public int ReducedWidth => Width / DownscaleFactor;

    public int ReducedHeight => Height / DownscaleFactor;

    public int ReducedBytes => DownscaleFactor == 1 ? 0 : ReducedWidth * ReducedHeight;

    public int TotalBytes => DisplayBytes + ReducedBytes;

    public Span<byte> Display8(Span<byte> output) => output[..DisplayBytes];

    public Span<ushort> Display16(Span<byte> output) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(output[..DisplayBytes]);

    public Span<byte> Reduced(Span<byte> output) => output.Slice(DisplayBytes, ReducedBytes);
}
