namespace CathLab.Wire.FrameLink;

/// <summary>Why the detector refused a request.</summary>
public enum FrameLinkErrorCode : ushort
{
    /// <summary>The request did not start with the request magic; the detector closes the connection.</summary>
    BadMagic = 1,

    /// <summary>The request's protocol version is not supported; the detector closes the connection.</summary>
    UnsupportedVersion = 2,

    /// <summary>The request's CRC-32 did not match; the detector closes the connection.</summary>
    BadCrc = 3,

    /// <summary>The request type is unknown; the connection stays open.</summary>
    UnknownRequest = 4,

    /// <summary>The argument is out of range for the request type; the connection stays open.</summary>
    BadArgument = 5,
}
