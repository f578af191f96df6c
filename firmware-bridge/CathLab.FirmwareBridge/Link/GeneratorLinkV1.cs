using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CathLab.FirmwareBridge.Link;

/// <summary>The station side of the CathLab generator protocol v1 (docs/generator-protocol.md) over a serial line, composed
/// of lanes with one job each: the <see cref="CommandLane"/> (stop-and-wait, retries, ExposeOff pre-emption) and the
/// <see cref="HeartbeatLane"/>, both driven by the <see cref="SendThread"/>; the <see cref="FrameReader"/> and its
/// <see cref="FrameDispatcher"/> (answers, FrameErrors, events through the <see cref="EventSequencer"/>); the
/// <see cref="LinkSupervisor"/> (open, identify, restore, back-off); the <see cref="LinkStateMachine"/>; the
/// <see cref="LinkStatistics"/>. Each lane that waits has a dedicated thread: nothing on the serial path uses the thread pool.</summary>
public sealed class GeneratorLinkV1 : IGeneratorLink
{
    private readonly ISerialConnector _connector;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _firstConnect = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly LinkTimings _timings;
    private readonly LinkStateMachine _machine = new();
    private readonly SerialLine _line = new();
    private readonly HeartbeatLane _beat = new();
    private readonly CommandLane _commands;
    private readonly SendThread _sender;
    private readonly FrameReader _reader;
    private readonly LinkSupervisor _supervisor;
    private volatile bool _heartbeatEnabled = true;
    private bool _started;

    public GeneratorLinkV1(ISerialConnector connector, LinkTimings? timings = null, ILogger<GeneratorLinkV1>? logger = null, TimeProvider? time = null)
    {
        _connector = connector;
        _timings = timings ?? new LinkTimings();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var clock = new LinkClock(time ?? TimeProvider.System);
        var sequence = new LinkSequence();
        var events = new EventSequencer();
        Statistics = new LinkStatistics(_timings.AnswerTimeout);
        Func<ReadOnlySpan<byte>, bool> write = _line.TryWrite;
        _commands = new CommandLane(sequence, events, Statistics, clock, _timings, write, () => _machine.State, Wake, _logger);
        _sender = new SendThread(_beat, _commands, sequence, Statistics, clock, _timings, write, () => HeartbeatRunning, () => HeartbeatPeriod, _logger);
        var dispatcher = new FrameDispatcher(_beat, _commands, events, Statistics, clock, write, _logger);
        _reader = new FrameReader(_line, dispatcher, Statistics, clock, _timings, _logger);
        _supervisor = new LinkSupervisor(connector, _line, _commands, _machine, Statistics, clock, _timings, _logger);

        dispatcher.EventReceived += e => EventReceived?.Invoke(e);
        dispatcher.EventsLost += _ => EventsLost?.Invoke();
        _line.Lost += cause =>
        {
            _commands.OnLineLost();
            if (!_stop.IsCancellationRequested) _machine.Fire(LinkInput.LineLost, $"{_connector.Description} is gone: {cause.Message}");
        };
        _commands.GeneratorSilent += why => _machine.Fire(LinkInput.GeneratorSilent, why);
        _sender.GeneratorSilent += why => _machine.Fire(LinkInput.GeneratorSilent, why);
        _supervisor.Identified += () => _firstConnect.TrySetResult();
        _machine.Changed += OnStateChanged;
    }

    public LinkState State => _machine.State;
    public GeneratorIdentity? Identity => _supervisor.Identity;
    public GeneratorCapabilities? Capabilities => _supervisor.Capabilities;
    public bool HeartbeatRunning => _heartbeatEnabled && _machine.State == LinkState.Connected;

    /// <summary>Everything the lanes counted: answer latency, answers outside the window, retransmissions, events, downs.</summary>
    public LinkStatistics Statistics { get; }

    /// <summary>Commands sent again after a timeout or a FrameError.</summary>
    public long Retransmissions => Statistics.Retransmissions;
    public long EventsDelivered => Statistics.EventsDelivered;
    /// <summary>Event frames dropped as out of order or repeated (go-back-N duplicates).</summary>
    public long EventsDropped => Statistics.EventsDropped;
    public long HeartbeatsSent => Statistics.HeartbeatsSent;
    public long DiscardedBytes => Statistics.DiscardedBytes;
    public long DamagedFrames => Statistics.DamagedFrames;
    /// <summary>How often the link went down and came back.</summary>
    public int Reconnects => (int)Statistics.Reconnects;

    /// <summary>The techniques the generator last confirmed, one per kind: sent again after a reconnect, since a
    /// generator that lost power (or was swapped) comes back with its defaults.</summary>
    public IReadOnlyList<TechniqueSetting> StoredTechniques => _supervisor.StoredTechniques;

    /// <summary>The heartbeat period, derived from the generator's window (capabilities): window / HeartbeatsPerWindow.</summary>
    public TimeSpan HeartbeatPeriod => TimeSpan.FromMilliseconds(
        Math.Max(5.0, (Capabilities?.HeartbeatWindowMs ?? 150) / (double)_timings.HeartbeatsPerWindow));

    public event Action<GeneratorEvent>? EventReceived;
    public event Action<LinkState, string>? StateChanged;
    public event Action? EventsLost;

    public Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            if (!_started)
            {
                _started = true;
                _machine.Fire(LinkInput.Start, $"connecting on {_connector.Description}");
                _reader.Start(_stop.Token);
                _sender.Start(_stop.Token);
                _supervisor.Start(_stop.Token);
            }
        }
        return _firstConnect.Task.WaitAsync(cancellationToken);
    }

    public async Task<TechniqueSetting> SetTechniqueAsync(TechniqueSetting setting, CancellationToken cancellationToken = default)
    {
        byte[] answer = await SendAsync(MessageType.SetTechnique, TechniqueCodec.Encode(setting), cancellationToken).ConfigureAwait(false);
        var stored = AnswerReaders.Read(MessageType.SetTechnique, answer, static (ref PayloadReader r) => TechniqueSetting.Read(ref r));
        _supervisor.Remember(stored);
        return stored;
    }

    public async Task<TechniqueSetting> GetTechniqueAsync(ExposureKind kind, CancellationToken cancellationToken = default)
    {
        byte[] answer = await SendAsync(MessageType.GetTechnique, [(byte)kind], cancellationToken).ConfigureAwait(false);
        return AnswerReaders.Read(MessageType.GetTechnique, answer, static (ref PayloadReader r) => TechniqueSetting.Read(ref r));
    }

    public Task PrepareAsync(ExposureKind kind, CancellationToken cancellationToken = default) =>
        SendAsync(MessageType.Prepare, [(byte)kind], cancellationToken);

    public Task ExposeOnAsync(ExposureKind kind, CancellationToken cancellationToken = default) =>
        SendAsync(MessageType.ExposeOn, [(byte)kind], cancellationToken);

    public Task ExposeOffAsync(CancellationToken cancellationToken = default) =>
        SendAsync(MessageType.ExposeOff, [], cancellationToken);

    public async Task<GeneratorStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        byte[] answer = await SendAsync(MessageType.GetStatus, [], cancellationToken).ConfigureAwait(false);
        return AnswerReaders.Read(MessageType.GetStatus, answer, static (ref PayloadReader r) => GeneratorStatus.Read(ref r));
    }

    public Task ResetFaultAsync(CancellationToken cancellationToken = default) =>
        SendAsync(MessageType.ResetFault, [], cancellationToken);

    public void StopHeartbeat(string reason)
    {
        if (_heartbeatEnabled)
        {
            _heartbeatEnabled = false;
            _logger.LogWarning("Heartbeat stopped: {Reason}", reason);
        }
    }

    public void ResumeHeartbeat()
    {
        if (!_heartbeatEnabled)
        {
            _heartbeatEnabled = true;
            _logger.LogInformation("Heartbeat resumed");
        }
        _beat.RequestNow(); // at once: the generator refuses exposure until a heartbeat arrives
        Wake();
    }

    /// <summary>The caller may stop waiting; the command itself still runs to its end so sequence numbers stay true.</summary>
    private Task<byte[]> SendAsync(MessageType type, byte[] payload, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        return _commands.Submit(type, payload, whileConnecting: false).WaitAsync(cancellationToken);
    }

    private void Wake() => _sender.Wake();

    private void OnStateChanged(LinkState from, LinkState to, string why)
    {
        switch (to)
        {
            case LinkState.Down:
                _logger.LogError("Generator link down: {Reason}; heartbeats stopped, emission stops in the generator's heartbeat window", why);
                Statistics.WentDown();
                _commands.OnLinkDown(why);
                _supervisor.Restart();
                break;
            case LinkState.Connected:
                _logger.LogInformation("Generator link {State}: {Reason}", to, why);
                _beat.RequestNow();
                Wake();
                break;
            default:
                _logger.LogInformation("Generator link {State}: {Reason}", to, why);
                break;
        }
        StateChanged?.Invoke(to, why);
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested) return ValueTask.CompletedTask;
            _stop.Cancel();
        }
        Wake();
        _machine.Fire(LinkInput.Dispose, "disposed");
        _firstConnect.TrySetException(new ObjectDisposedException(nameof(GeneratorLinkV1)));
        _ = _firstConnect.Task.Exception;
        _supervisor.Join(TimeSpan.FromSeconds(2));
        _sender.Join(TimeSpan.FromSeconds(2));
        _commands.Close();
        _line.Close();
        _reader.Join(TimeSpan.FromSeconds(2));
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
