using CathLab.Wire.Generator;

namespace CathLab.Acquisition.Frames;

/// <summary>What a frame is: its place in the stream, when it was made, its size, and the technique of the pulse
/// that made it, as the detector's frame header reports them.</summary>
public readonly record struct FrameInfo(
    long Sequence,
    uint PulseId,
    long TimestampMicroseconds,
    int Width,
    int Height,
    int BitsStored,
    Technique Technique,
    ExposureKind? Kind,
    uint AirKermaNanoGray,
    bool Dark)
{
    public int PixelCount => Width * Height;

    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> when the station had the whole frame, or 0
    /// when unknown. The detector's own timestamp runs on the detector's clock; this one measures the station's latency.</summary>
    public long ReceivedTimestamp { get; init; }
}
