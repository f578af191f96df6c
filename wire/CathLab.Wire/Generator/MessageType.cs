namespace CathLab.Wire.Generator;

/// <summary>The TYPE byte of a generator-link frame (docs/generator-protocol.md).</summary>
public enum MessageType : byte
{
    // Station to generator: commands, each answered by Ack or Nak with the command's sequence number.
    Identify = 0x01,
    GetCapabilities = 0x02,
    SetTechnique = 0x03,
    GetTechnique = 0x04,
    Prepare = 0x05,
    ExposeOn = 0x06,
    ExposeOff = 0x07,
    Heartbeat = 0x08,
    GetStatus = 0x09,
    ResetFault = 0x0A,

    // Station to generator: acknowledges events up to and including the frame's sequence number. Not answered.
    EventAck = 0x40,

    // Generator to station.
    Ack = 0x80,
    Nak = 0x81,
    FrameError = 0x82,
    Event = 0x90,
}

public static class MessageTypeExtensions
{
    public static bool IsCommand(this MessageType type) => (byte)type is >= 0x01 and <= 0x3F;
}
