using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Link;

/// <summary>The generator refused a command; <see cref="Refusal"/> carries its reason code and text.</summary>
public sealed class GeneratorRefusedException(Refusal refusal)
    : Exception($"generator refused {refusal.Command}: {refusal.Reason.Describe()} ({refusal.Text})")
{
    public Refusal Refusal { get; } = refusal;
    public RefusalReason Reason => Refusal.Reason;
}

/// <summary>The link could not deliver a command: no answer after the retries, or the port is gone.
/// Whether the command was executed is unknown.</summary>
public sealed class GeneratorLinkDownException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A command in flight was abandoned because ExposeOff had to go first. The generator may or
/// may not have executed it; it was not retried, so it was not executed twice.</summary>
public sealed class CommandPreemptedException(MessageType command)
    : Exception($"{command} was pre-empted by ExposeOff; its outcome is unknown and it was not repeated")
{
    public MessageType Command { get; } = command;
}

/// <summary>The generator answered with something the protocol does not allow (wrong type, bad payload).</summary>
public sealed class GeneratorProtocolException(string message, Exception? inner = null) : Exception(message, inner);
