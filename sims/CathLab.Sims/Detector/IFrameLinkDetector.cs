namespace CathLab.Sims.Detector;

/// <summary>What a frame-link connection may ask of the detector behind it.</summary>
internal interface IFrameLinkDetector
{
    DetectorMode Mode { get; }
    int BitsStored { get; }
    void SetMode(DetectorMode mode);
    void RequestDarkFrames(FrameLinkSession session, int count);
}
