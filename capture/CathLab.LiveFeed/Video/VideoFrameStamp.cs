namespace CathLab.LiveFeed.Video;

/// <summary>What an observer needs to know about the display frame a video frame was made from.</summary>
public readonly record struct VideoFrameStamp(string ExamId, string RunId, long FrameNumber, long ReadyUnixMicroseconds, int SourceWidth, int SourceHeight, bool LastImageHold = false)
{
    /// <summary>A stamp for frames offered without one (tests of the encoding alone): every sink accepts it.</summary>
    public static readonly VideoFrameStamp Unstamped = new("", "", 0, 0, 0, 0);
}
