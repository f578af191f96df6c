using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Link;

/// <summary>Where the link to the generator stands.</summary>
public enum LinkState
{
    /// <summary>Not started, or disposed.</summary>
    Closed,
    /// <summary>Opening the port and identifying the generator.</summary>
    Connecting,
    /// <summary>Identified; commands and events flow.</summary>
    Connected,
    /// <summary>No answer after the retries, or the port went away. Heartbeats have stopped, so the
    /// generator's own heartbeat window stops any emission; the link keeps trying to reconnect.</summary>
    Down,
}

/// <summary>What the rest of the station may read of the generator link: where it stands, what it is connected to,
/// and the events it delivers. Commands go only through the exposure controller and the bridge.</summary>
public interface IGeneratorLinkStatus
{
    LinkState State { get; }

    /// <summary>Set once connected (refreshed after every reconnect).</summary>
    GeneratorIdentity? Identity { get; }

    /// <summary>Set once connected (refreshed after every reconnect).</summary>
    GeneratorCapabilities? Capabilities { get; }

    /// <summary>True while the station sends heartbeats (connected and not stopped).</summary>
    bool HeartbeatRunning { get; }

    /// <summary>Each generator event, once, in the generator's order. Raised on the link's reader thread:
    /// handlers must be quick and must not block on commands.</summary>
    event Action<GeneratorEvent>? EventReceived;

    /// <summary>Raised on every change of <see cref="State"/>, with the reason in words.</summary>
    event Action<LinkState, string>? StateChanged;

    /// <summary>The generator said it discarded events from its full backlog (its EventsLost event): pulses, exposure
    /// ends or faults may have gone unreported, so what the generator emitted meanwhile is unknown. Raised on the reader
    /// thread, before the EventsLost event itself is delivered through <see cref="EventReceived"/>.</summary>
    event Action? EventsLost;
}

/// <summary>The station's view of one X-ray generator, whatever its dialect. The CathLab protocol
/// (docs/generator-protocol.md) is one implementation; another generator's protocol is another.</summary>
public interface IGeneratorLink : IGeneratorLinkStatus, IAsyncDisposable
{
    /// <summary>Opens the line, identifies the generator and reads its capabilities; starts the heartbeat.
    /// Returns when connected; afterwards the link reconnects by itself after a cable pull.</summary>
    Task ConnectAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores a technique and returns the generator's read-back (what it really stored).</summary>
    Task<TechniqueSetting> SetTechniqueAsync(TechniqueSetting setting, CancellationToken cancellationToken = default);

    Task<TechniqueSetting> GetTechniqueAsync(ExposureKind kind, CancellationToken cancellationToken = default);

    Task PrepareAsync(ExposureKind kind, CancellationToken cancellationToken = default);

    Task ExposeOnAsync(ExposureKind kind, CancellationToken cancellationToken = default);

    /// <summary>Stops emission. Goes ahead of every queued command and pre-empts one in flight.</summary>
    Task ExposeOffAsync(CancellationToken cancellationToken = default);

    Task<GeneratorStatus> GetStatusAsync(CancellationToken cancellationToken = default);

    Task ResetFaultAsync(CancellationToken cancellationToken = default);

    /// <summary>Stops sending heartbeats: the generator then stops emission within its heartbeat window.
    /// The last-resort safety path when the station cannot trust the link.</summary>
    void StopHeartbeat(string reason);

    /// <summary>Resumes heartbeats after <see cref="StopHeartbeat"/>.</summary>
    void ResumeHeartbeat();
}
