namespace CathLab.Wire.Generator;

/// <summary>Why the generator refused a command or a frame (the reason byte of Nak and FrameError).</summary>
public enum RefusalReason : byte
{
    CrcError = 0x01,
    Malformed = 0x02,
    UnknownCommand = 0x03,
    OutOfRange = 0x10,
    NotPrepared = 0x11,
    WrongState = 0x12,
    TubeHot = 0x13,
    InterlockOpen = 0x14,
    FaultActive = 0x15,
    NoHeartbeat = 0x16,
    KindNotSupported = 0x17,
}

public static class RefusalReasonText
{
    public static string Describe(this RefusalReason reason) => reason switch
    {
        RefusalReason.CrcError => "frame CRC did not match",
        RefusalReason.Malformed => "frame or payload malformed",
        RefusalReason.UnknownCommand => "unknown command",
        RefusalReason.OutOfRange => "value outside the generator's capabilities",
        RefusalReason.NotPrepared => "generator not prepared",
        RefusalReason.WrongState => "command not allowed in the current state",
        RefusalReason.TubeHot => "tube heat above the exposure limit",
        RefusalReason.InterlockOpen => "interlock open",
        RefusalReason.FaultActive => "a fault is active; reset it first",
        RefusalReason.NoHeartbeat => "no valid heartbeat inside the window",
        RefusalReason.KindNotSupported => "exposure kind not supported",
        _ => $"reason 0x{(byte)reason:X2}",
    };
}
