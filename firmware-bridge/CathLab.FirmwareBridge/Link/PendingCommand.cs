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
}

/// <summary>Why the command loop woke up while waiting for an answer.</summary>
internal enum AttemptWake
{
    Answered,
    FrameError,
    Preempted,
    LineLost,
}
