using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Link;

/// <summary>One command waiting for its turn or for its answer.</summary>
internal sealed class PendingCommand(MessageType type, byte[] payload, bool allowedWhileConnecting)
{
    public MessageType Type { get; } = type;
    public byte[] Payload { get; } = payload;

    /// <summary>Identify and GetCapabilities run while the link is (re)connecting; nothing else does.</summary>
    public bool AllowedWhileConnecting { get; } = allowedWhileConnecting;

    /// <summary>The Ack's answer fields (after the answered command's TYPE byte).</summary>
    public TaskCompletionSource<byte[]> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ushort Sequence { get; set; }
    public int Transmissions { get; set; }

    /// <summary>When the first transmission went out (TimeProvider timestamp), for the answer latency.</summary>
    public long FirstSentTimestamp { get; set; }
}

/// <summary>How the attempt in flight ended, as the reader (or an ExposeOff, or the loss of the line) tells the send loop.</summary>
internal enum AttemptWake
{
    Answered,
    FrameError,
    Preempted,
    LineLost,
    /// <summary>The link went down for another reason (the heartbeat found the generator silent).</summary>
    LinkDown,
}
