namespace CathLab.Wire.FrameLink;

/// <summary>What a message from the detector to its client carries (docs/frame-link.md).</summary>
public enum FrameLinkMessageType : ushort
{
    /// <summary>Sent once on connect: the detector's current mode; no payload.</summary>
    Hello = 1,

    /// <summary>An exposed frame: one generator pulse through the patient.</summary>
    Frame = 2,

    /// <summary>A frame read without exposure, for offset calibration; pulse id 0.</summary>
    DarkFrame = 3,

    /// <summary>A request was refused; payload: <see cref="FrameLinkError"/>.</summary>
    Error = 4,

    /// <summary>A request was accepted; payload: the request type and argument it accepted.</summary>
    Ack = 5,
}
