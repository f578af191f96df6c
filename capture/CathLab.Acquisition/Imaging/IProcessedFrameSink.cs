using CathLab.Acquisition.Frames;
using CathLab.Acquisition.Protocols;
using CathLab.Processing.Display;

namespace CathLab.Acquisition.Imaging;

/// <summary>Where processed frames go (the live feed, a display). Called on the processing stage's thread, never
/// from two threads at once; the spans are valid only during the call, so a sink copies what it keeps and returns
/// quickly: the next frame waits for it.</summary>
public interface IProcessedFrameSink
{
    void OnProcessedFrame(in ProcessedFrame frame);
}

/// <summary>One processed frame as the stage hands it on: the raw 16-bit pixels it was made from, the display image
/// (8-bit window/level, or 16-bit LUT bytes, as <see cref="Layout"/> says) and the downscaled 8-bit image (empty when
/// the downscale factor is 1).</summary>
public readonly ref struct ProcessedFrame
{
    public ProcessedFrame(in FrameInfo info, RunKind run, DisplayLayout layout, ReadOnlySpan<ushort> raw, ReadOnlySpan<byte> display, ReadOnlySpan<byte> reduced, bool held)
    {
        Info = info;
        Run = run;
        Layout = layout;
        Raw = raw;
        Display = display;
        Reduced = reduced;
        Held = held;
    }

    public FrameInfo Info { get; }

    /// <summary>The kind of run the frame was processed for.</summary>
    public RunKind Run { get; }

    public DisplayLayout Layout { get; }

    public ReadOnlySpan<ushort> Raw { get; }

    public ReadOnlySpan<byte> Display { get; }

    public ReadOnlySpan<byte> Reduced { get; }

    /// <summary>True when this is the last image re-sent after the pedal's release (last-image hold), not a new frame.</summary>
    public bool Held { get; }
}
