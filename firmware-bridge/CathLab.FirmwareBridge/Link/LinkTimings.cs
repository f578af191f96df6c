namespace CathLab.FirmwareBridge.Link;

/// <summary>Timing of the CathLab generator protocol (docs/generator-protocol.md); tests may shorten them.</summary>
public sealed record LinkTimings
{
    /// <summary>Retry a command when no answer came within this long.</summary>
    public TimeSpan AnswerTimeout { get; init; } = TimeSpan.FromMilliseconds(40);

    /// <summary>Retries before the link is considered down.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>A partial frame is dropped after this much line silence.</summary>
    public int InterByteSilenceMs { get; init; } = 20;

    /// <summary>Heartbeats go out every window divided by this (the protocol asks for at least 3).</summary>
    public int HeartbeatsPerWindow { get; init; } = 4;

    /// <summary>Pause before the first attempt to reopen a port that went away (or to re-identify a silent generator);
    /// it doubles with every failed attempt up to <see cref="ReconnectBackOffMax"/>.</summary>
    public TimeSpan ReconnectInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest pause between reconnection attempts.</summary>
    public TimeSpan ReconnectBackOffMax { get; init; } = TimeSpan.FromSeconds(2);
}
