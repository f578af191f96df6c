namespace CathLab.LiveFeed.Frames;

/// <summary>What the live feed needs to know about one processed frame. The processed 16-bit frame is
/// <see cref="Width"/> × <see cref="Height"/>; the 8-bit display frame is <see cref="DisplayWidth"/> × <see cref="DisplayHeight"/>.
/// <see cref="LastImageHold"/> marks the last image of a run sent again after the exposure ended (same frame number).</summary>
public readonly record struct LiveFrameInfo(long FrameNumber, int Width, int Height, int BitsStored, int DisplayWidth, int DisplayHeight, bool LastImageHold = false)
{
    public static LiveFrameInfo Square(long frameNumber, int side, int bitsStored) => new(frameNumber, side, side, bitsStored, side, side);
}
