using CathLab.LiveFeed.Tiers;
using CathLab.Video;

namespace CathLab.LiveFeed.Sessions;

/// <summary>A frame on its way to one observer: the shared encoded image (a JPEG or PNG of a tier, or a frame of a
/// shared VP8 encoding) plus what the observer needs to know. A value, so queueing one allocates nothing; it carries
/// one reference to its image or video frame, which whoever takes it last (the writer after sending, or the queue
/// when it drops it) releases.</summary>
public readonly record struct OutgoingFrame(long FrameNumber, long ReadyUnixMicroseconds, string RunId, EncodedImage? Image, int Level, int SourceWidth, int SourceHeight,
    bool LastImageHold = false, bool Probe = false, EncodedVideoFrame? Video = null, int VideoSize = 0)
{
    public bool IsVideo => Video is not null;

    public int Length => Video?.Length ?? Image!.Length;

    public ReadOnlyMemory<byte> Data => Video?.Data ?? Image!.Data;

    public int Width => Video is null ? Image!.Width : VideoSize;

    public int Height => Video is null ? Image!.Height : VideoSize;

    /// <summary>The tier it is shown as: a video frame is a preview (lossy, never diagnostic).</summary>
    public Protocol.Tier Tier => Video is null ? Image!.Tier : Protocol.Tier.Preview;

    public Protocol.ImageEncoding Encoding => Video is null ? Image!.Variant.Encoding : Protocol.ImageEncoding.Vp8;

    public bool KeyFrame => Video?.IsKeyFrame ?? false;

    /// <summary>A video frame's number in its encoding's stream (0 for an image).</summary>
    public long Sequence => Video?.Number ?? 0;

    public void Release()
    {
        if (Video is not null) Video.Release();
        else Image!.Release();
    }
}
