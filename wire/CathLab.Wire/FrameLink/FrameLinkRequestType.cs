namespace CathLab.Wire.FrameLink;

/// <summary>What a client asks of the detector (docs/frame-link.md).</summary>
public enum FrameLinkRequestType : ushort
{
    /// <summary>Start sending exposed frames to this client; argument 0.</summary>
    Subscribe = 1,

    /// <summary>Stop sending exposed frames to this client; argument 0.</summary>
    Unsubscribe = 2,

    /// <summary>Read dark frames now; argument: how many, 1..<see cref="FrameLinkRequest.MaxDarkFrames"/>.</summary>
    DarkFrames = 3,

    /// <summary>Switch the detector's readout mode; argument: the side in pixels, 1024 or 512.</summary>
    SetMode = 4,
}
