using System.Diagnostics;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CathLab.FirmwareBridge.Link;

/// <summary>The station side of the CathLab generator protocol v1 (docs/generator-protocol.md) over a serial line.
/// One reader thread decodes frames; one send loop keeps at most one command outstanding, retries it with
/// the same sequence number, and lets ExposeOff jump the queue; beside the command, on the same loop, the heartbeat
/// keeps its own period and retries (it never waits behind a command being retried) and keeps exposure alive;
/// a supervisor reopens the port (with back-off), re-identifies the generator, re-reads its capabilities and re-sends
/// the techniques it last stored after a cable pull or a silent generator.</summary>
public sealed class GeneratorLinkV1 : IGeneratorLink
{
    private readonly ISerialConnector _connector;
    private readonly LinkTimings _timings;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly object _writeGate = new();
    private readonly Queue<PendingCommand> _normal = new();
    private readonly Queue<PendingCommand> _priority = new();
    private readonly AutoResetEvent _kick = new(false);
    private readonly HeartbeatLane _beat = new();
    private readonly SemaphoreSlim _downSignal = new(0);
    private readonly ManualResetEventSlim _connectionReady = new(false);
    private readonly byte[] _commandFrame = new byte[GeneratorFrame.MaxFrame];
    private readonly byte[] _ackFrame = new byte[GeneratorFrame.Overhead];
    private readonly byte[] _beatFrame = new byte[GeneratorFrame.Overhead];
    private readonly TaskCompletionSource _firstConnect = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<ExposureKind, TechniqueSetting> _storedTechniques = [];

    private ISerialConnection? _connection;
    private Thread? _reader;
    private Thread? _sender;
    private Task? _supervisor;
    private PendingCommand? _inFlight;
    private AttemptWake? _attemptOutcome;
    private int _commandLength;
    private int _silentRetries;
    private long _attemptDeadline;
    private int _beatLength;
    private ushort _sequence = (ushort)Random.Shared.Next(1, 0x10000);
    private readonly EventSequencer _events = new();
    private volatile bool _heartbeatEnabled = true;
    private volatile LinkState _state = LinkState.Closed;
    private long _retransmissions;
    private long _eventsDelivered;
    private long _eventsDropped;
    private long _heartbeatsSent;

    public GeneratorLinkV1(ISerialConnector connector, LinkTimings? timings = null, ILogger<GeneratorLinkV1>? logger = null)
    {
        _connector = connector;
        _timings = timings ?? new LinkTimings();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Statistics = new LinkStatistics(_timings.AnswerTimeout);
    }

    public LinkStatistics Statistics { get; }

    public LinkState State => _state;
    public GeneratorIdentity? Identity { get; private set; }
    public GeneratorCapabilities? Capabilities { get; private set; }
    public bool HeartbeatRunning => _heartbeatEnabled && _state == LinkState.Connected;

    /// <summary>Commands sent again after a timeout or a FrameError.</summary>
    public long Retransmissions => Interlocked.Read(ref _retransmissions);
    public long EventsDelivered => Interlocked.Read(ref _eventsDelivered);
    /// <summary>Event frames dropped as out of order or repeated (go-back-N duplicates).</summary>
    public long EventsDropped => Interlocked.Read(ref _eventsDropped);
    public long HeartbeatsSent => Interlocked.Read(ref _heartbeatsSent);
    public long DiscardedBytes { get; private set; }
    public long DamagedFrames { get; private set; }
    /// <summary>How often the link went down and came back.</summary>
    public int Reconnects { get; private set; }

    public event Action<GeneratorEvent>? EventReceived;
    public event Action<LinkState, string>? StateChanged;

    public Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            if (_supervisor is null)
            {
                SetState(LinkState.Connecting, $"connecting on {_connector.Description}");
                _reader = new Thread(ReadLoop) { IsBackground = true, Name = "generator-link reader", Priority = ThreadPriority.AboveNormal };
                _reader.Start();
                _sender = new Thread(SendLoop) { IsBackground = true, Name = "generator-link sender", Priority = ThreadPriority.AboveNormal };
                _sender.Start();
                _supervisor = Task.Run(SuperviseAsync);
            }
        }
        return _firstConnect.Task.WaitAsync(cancellationToken);
    }

    public async Task<TechniqueSetting> SetTechniqueAsync(TechniqueSetting setting, CancellationToken cancellationToken = default)
    {
        byte[] answer = await SendAsync(MessageType.SetTechnique, EncodeTechnique(setting), cancellationToken).ConfigureAwait(false);
        var stored = ReadAnswer(MessageType.SetTechnique, answer, static (ref PayloadReader r) => TechniqueSetting.Read(ref r));
        RememberTechnique(stored);
        return stored;
    }

    /// <summary>The techniques the generator last confirmed, one per kind: sent again after a reconnect, since a
    /// generator that lost power (or was swapped) comes back with its defaults.</summary>
    public IReadOnlyList<TechniqueSetting> StoredTechniques
    {
        get { lock (_gate) return [.. _storedTechniques.Values]; }
    }

    private static byte[] EncodeTechnique(TechniqueSetting setting)
    {
        var payload = new byte[16];
        var w = new PayloadWriter(payload);
        setting.Write(ref w);
        return payload.AsSpan(0, w.Length).ToArray();
    }

    private void RememberTechnique(TechniqueSetting stored)
    {
        lock (_gate) _storedTechniques[stored.Kind] = stored;
    }

    public async Task<TechniqueSetting> GetTechniqueAsync(ExposureKind kind, CancellationToken cancellationToken = default)
    {
        byte[] answer = await SendAsync(MessageType.GetTechnique, [(byte)kind], cancellationToken).ConfigureAwait(false);
        return ReadAnswer(MessageType.GetTechnique, answer, static (ref PayloadReader r) => TechniqueSetting.Read(ref r));
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
        return ReadAnswer(MessageType.GetStatus, answer, static (ref PayloadReader r) => GeneratorStatus.Read(ref r));
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
        _kick.Set();
    }

    private delegate T AnswerReader<T>(ref PayloadReader reader);

    private static T ReadAnswer<T>(MessageType command, byte[] answer, AnswerReader<T> read)
    {
        try
        {
            var r = new PayloadReader(answer);
            T value = read(ref r);
            r.End();
            return value;
        }
        catch (MalformedPayloadException e)
        {
            throw new GeneratorProtocolException($"malformed answer to {command}: {e.Message}", e);
        }
    }

    private Task<byte[]> SendAsync(MessageType type, byte[] payload, CancellationToken cancellationToken, bool internalConnect = false)
    {
        var command = new PendingCommand(type, payload, internalConnect);
        List<PendingCommand>? cancelled = null;
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                throw new ObjectDisposedException(nameof(GeneratorLinkV1));
            }
            if (!internalConnect && _state != LinkState.Connected)
            {
                return Task.FromException<byte[]>(new GeneratorLinkDownException($"{type} not sent: generator link is {_state}"));
            }
            if (type == MessageType.ExposeOff)
            {
                _priority.Enqueue(command);
                if (_inFlight is { } current && current.Type is not (MessageType.ExposeOff or MessageType.Identify))
                {
                    _attemptOutcome ??= AttemptWake.Preempted;
                }
                cancelled = CancelQueuedExposeOn();
            }
            else
            {
                _normal.Enqueue(command);
            }
        }
        _kick.Set();
        if (cancelled is not null)
        {
            foreach (var c in cancelled) c.Answer.TrySetException(new CommandPreemptedException(c.Type));
        }
        // The caller may stop waiting; the command itself still runs to its end so sequence numbers stay true.
        return command.Answer.Task.WaitAsync(cancellationToken);
    }

    /// <summary>An ExposeOn still queued behind an ExposeOff would restart emission after it: it is taken out and
    /// answered as pre-empted. Called under the gate.</summary>
    private List<PendingCommand>? CancelQueuedExposeOn()
    {
        if (!_normal.Any(c => c.Type == MessageType.ExposeOn)) return null;
        var kept = _normal.Where(c => c.Type != MessageType.ExposeOn).ToList();
        var cancelled = _normal.Where(c => c.Type == MessageType.ExposeOn).ToList();
        _normal.Clear();
        foreach (var c in kept) _normal.Enqueue(c);
        return cancelled;
    }

    private PendingCommand? NextCommand()
    {
        lock (_gate)
        {
            if (_priority.TryDequeue(out var urgent)) return urgent;
            return _normal.TryDequeue(out var next) ? next : null;
        }
    }

    /// <summary>The one thread that sends commands and heartbeats. It owns its thread rather than borrowing the thread
    /// pool, so a busy or starved pool cannot delay a heartbeat or an ExposeOff. It never blocks on anything but a
    /// bounded port write and its wake-up, whose timeout is the nearest of the heartbeat's and the command's deadlines:
    /// so a heartbeat goes out on time however long the command in flight is being retried.</summary>
    private void SendLoop()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            long now = Environment.TickCount64;
            ServiceHeartbeat(now);
            ServiceCommand(now, token);
            if (token.IsCancellationRequested) break;
            long deadline = HeartbeatRunning ? _beat.NextDeadline(AnswerTimeoutMs) : long.MaxValue;
            if (_inFlight is not null) deadline = Math.Min(deadline, _attemptDeadline);
            long wait = Math.Clamp(deadline - Environment.TickCount64, 0, 1000);
            if (wait > 0) _kick.WaitOne((int)wait);
        }
        PendingCommand? abandoned;
        lock (_gate)
        {
            abandoned = _inFlight;
            _inFlight = null;
        }
        abandoned?.Answer.TrySetException(new ObjectDisposedException(nameof(GeneratorLinkV1)));
        FailQueued(new ObjectDisposedException(nameof(GeneratorLinkV1)));
    }

    private long AnswerTimeoutMs => (long)Math.Max(1, _timings.AnswerTimeout.TotalMilliseconds);

    /// <summary>The heartbeat period, derived from the generator's window (capabilities): window / HeartbeatsPerWindow.</summary>
    public TimeSpan HeartbeatPeriod => TimeSpan.FromMilliseconds(
        Math.Max(5.0, (Capabilities?.HeartbeatWindowMs ?? 150) / (double)_timings.HeartbeatsPerWindow));

    private void ServiceHeartbeat(long now)
    {
        if (!HeartbeatRunning)
        {
            _beat.Stop();
            return;
        }
        switch (_beat.Due(now, (long)HeartbeatPeriod.TotalMilliseconds, AnswerTimeoutMs, _timings.MaxRetries))
        {
            case HeartbeatStep.SendNew:
                ushort sequence;
                lock (_gate)
                {
                    sequence = ++_sequence;
                    _beatLength = GeneratorFrame.Encode(_beatFrame, sequence, MessageType.Heartbeat, []);
                }
                _beat.SentNew(sequence, now, Stopwatch.GetTimestamp());
                Interlocked.Increment(ref _heartbeatsSent);
                TryWrite(_beatFrame.AsSpan(0, _beatLength));
                break;
            case HeartbeatStep.Resend:
                Statistics.AnswerTimedOut();
                Interlocked.Increment(ref _heartbeatsSent);
                Interlocked.Increment(ref _retransmissions);
                TryWrite(_beatFrame.AsSpan(0, _beatLength));
                break;
            case HeartbeatStep.GiveUp:
                GoDown($"no answer to Heartbeat after {_timings.MaxRetries} retries");
                break;
        }
    }

    /// <summary>Moves the command lane on: settles the command in flight when its answer (or a pre-emption, or the loss
    /// of the line) came, sends it again after a FrameError or a silent answer timeout, and starts the next one.</summary>
    private void ServiceCommand(long now, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            var command = _inFlight;
            if (command is null)
            {
                if (!StartNext(now)) return;
                continue;
            }
            AttemptWake? outcome;
            lock (_gate)
            {
                outcome = _attemptOutcome;
                _attemptOutcome = null;
            }
            if (command.Answer.Task.IsCompleted && outcome is null or AttemptWake.FrameError) outcome = AttemptWake.Answered;
            switch (outcome)
            {
                case AttemptWake.Answered:
                    Settle();
                    continue;
                case AttemptWake.Preempted:
                    command.Answer.TrySetException(new CommandPreemptedException(command.Type));
                    Settle();
                    continue;
                case AttemptWake.LineLost:
                    command.Answer.TrySetException(new GeneratorLinkDownException($"{command.Type} not delivered: {_connector.Description} is gone"));
                    Settle();
                    continue;
                case AttemptWake.LinkDown:
                    command.Answer.TrySetException(new GeneratorLinkDownException($"{command.Type} outcome unknown: the generator link went down"));
                    Settle();
                    continue;
                case AttemptWake.FrameError:
                    if (Transmit(command, now, retry: true)) return;
                    continue;
                default:
                    if (now < _attemptDeadline) return;
                    Statistics.AnswerTimedOut();
                    if (++_silentRetries > _timings.MaxRetries)
                    {
                        string why = $"no answer to {command.Type} (SEQ {command.Sequence}) after {_timings.MaxRetries} retries";
                        command.Answer.TrySetException(new GeneratorLinkDownException(why));
                        Settle();
                        GoDown(why);
                        continue;
                    }
                    if (Transmit(command, now, retry: true)) return;
                    continue;
            }
        }
    }

    private bool StartNext(long now)
    {
        var command = NextCommand();
        if (command is null) return false;
        if (!command.AllowedWhileConnecting && _state != LinkState.Connected)
        {
            command.Answer.TrySetException(new GeneratorLinkDownException($"{command.Type} not sent: generator link is {_state}"));
            return true;
        }
        lock (_gate)
        {
            command.Sequence = ++_sequence;
            _commandLength = GeneratorFrame.Encode(_commandFrame, command.Sequence, command.Type, command.Payload);
            _inFlight = command;
            _attemptOutcome = null;
            if (command.Type == MessageType.Identify) _events.IdentifySent();
        }
        _silentRetries = 0;
        command.FirstSentTimestamp = Stopwatch.GetTimestamp();
        Transmit(command, now, retry: false);
        return true;
    }

    /// <summary>Sends the command in flight (again, with its SEQ, when <paramref name="retry"/>), unless ExposeOff is
    /// waiting: a pre-empted command is never sent again, since the generator would execute it anew after ExposeOff.</summary>
    private bool Transmit(PendingCommand command, long now, bool retry)
    {
        lock (_gate)
        {
            if (_priority.Count > 0 && command.Type is not (MessageType.ExposeOff or MessageType.Identify))
            {
                _attemptOutcome = AttemptWake.Preempted;
                return false;
            }
        }
        if (retry) Interlocked.Increment(ref _retransmissions);
        command.Transmissions++;
        _attemptDeadline = now + AnswerTimeoutMs;
        if (!TryWrite(_commandFrame.AsSpan(0, _commandLength)))
        {
            lock (_gate) _attemptOutcome = AttemptWake.LineLost;
            return false;
        }
        return true;
    }

    private void Settle()
    {
        lock (_gate)
        {
            if (_inFlight?.Type == MessageType.Identify && !_inFlight.Answer.Task.IsCompletedSuccessfully) _events.IdentifySettled(answered: false);
            _inFlight = null;
            _attemptOutcome = null;
        }
    }

    private bool TryWrite(ReadOnlySpan<byte> frame)
    {
        var connection = _connection;
        if (connection is null) return false;
        try
        {
            lock (_writeGate)
            {
                connection.Write(frame);
            }
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            LineLost(connection, e);
            return false;
        }
    }

    private void ReadLoop()
    {
        var decoder = new GeneratorFrameDecoder();
        var buffer = new byte[512];
        var token = _stop.Token;
        var silence = Stopwatch.StartNew();
        while (!token.IsCancellationRequested)
        {
            var connection = _connection;
            if (connection is null)
            {
                _connectionReady.Wait(50);
                decoder = new GeneratorFrameDecoder();
                continue;
            }
            int n;
            try
            {
                n = connection.Read(buffer, _timings.InterByteSilenceMs);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException or OperationCanceledException)
            {
                LineLost(connection, e);
                continue;
            }
            if (n == 0)
            {
                if (decoder.HasPartialFrame && silence.ElapsedMilliseconds >= _timings.InterByteSilenceMs)
                {
                    decoder.DropPartialFrame();
                    Drain(decoder);
                }
                continue;
            }
            silence.Restart();
            int offset = 0;
            while (offset < n)
            {
                offset += decoder.Append(buffer.AsSpan(offset, n - offset));
                Drain(decoder);
            }
        }
    }

    private void Drain(GeneratorFrameDecoder decoder)
    {
        while (true)
        {
            var outcome = decoder.TryDecode();
            DiscardedBytes = decoder.DiscardedBytes;
            if (outcome == DecodeOutcome.NeedMoreBytes) return;
            if (outcome == DecodeOutcome.DamagedFrame)
            {
                DamagedFrames++;
                continue;
            }
            try
            {
                Dispatch(decoder.Sequence, decoder.Type, decoder.Payload);
            }
            catch (MalformedPayloadException e)
            {
                _logger.LogWarning("Malformed {Type} frame from the generator ignored: {Message}", decoder.Type, e.Message);
            }
        }
    }

    private void Dispatch(ushort sequence, MessageType type, ReadOnlySpan<byte> payload)
    {
        switch (type)
        {
            case MessageType.Ack:
            case MessageType.Nak:
                OnAnswer(sequence, type, payload);
                break;
            case MessageType.FrameError:
                lock (_gate)
                {
                    if (_inFlight is not null) _attemptOutcome ??= AttemptWake.FrameError;
                }
                _kick.Set();
                break;
            case MessageType.Event:
                OnEvent(sequence, payload);
                break;
            default:
                _logger.LogWarning("Unexpected frame type 0x{Type:X2} from the generator ignored", (byte)type);
                break;
        }
    }

    private void OnAnswer(ushort sequence, MessageType type, ReadOnlySpan<byte> payload)
    {
        if (payload.Length >= 1 && payload[0] == (byte)MessageType.Heartbeat && _beat.TryAcknowledge(sequence, out long beatSent))
        {
            Statistics.Answered((long)Stopwatch.GetElapsedTime(beatSent).TotalMicroseconds);
            return;
        }
        PendingCommand? command;
        lock (_gate)
        {
            command = _inFlight;
            if (command is null || command.Sequence != sequence || payload.Length < 1 || payload[0] != (byte)command.Type)
            {
                return; // a late answer to a command already settled, or a pre-empted one
            }
        }
        Statistics.Answered((long)Stopwatch.GetElapsedTime(command.FirstSentTimestamp).TotalMicroseconds);
        if (type == MessageType.Ack)
        {
            if (command.Type == MessageType.Identify)
            {
                _events.IdentifySettled(answered: true); // the generator numbers events from 1 in the new session
            }
            command.Answer.TrySetResult(payload[1..].ToArray());
        }
        else
        {
            Refusal refusal;
            try
            {
                var r = new PayloadReader(payload);
                refusal = Refusal.Read(ref r);
            }
            catch (MalformedPayloadException e)
            {
                refusal = new Refusal(command.Type, RefusalReason.Malformed, $"unreadable Nak: {e.Message}");
            }
            _logger.LogWarning("Generator refused {Command}: {Reason} ({Text})", refusal.Command, refusal.Reason.Describe(), refusal.Text);
            command.Answer.TrySetException(new GeneratorRefusedException(refusal));
        }
        lock (_gate)
        {
            if (ReferenceEquals(_inFlight, command)) _attemptOutcome = AttemptWake.Answered;
        }
        _kick.Set();
    }

    private void OnEvent(ushort sequence, ReadOnlySpan<byte> payload)
    {
        switch (_events.Judge(sequence))
        {
            case EventVerdict.Ignore:
                return; // event numbering restarts with the session; unacknowledged events come again
            case EventVerdict.Drop:
                Interlocked.Increment(ref _eventsDropped);
                SendEventAck(_events.LastInOrder);
                return;
        }
        GeneratorEvent? e = null;
        try
        {
            e = GeneratorEvent.Read(payload);
        }
        catch (MalformedPayloadException ex)
        {
            _logger.LogError("Generator event {Sequence} is malformed and was skipped: {Message}", sequence, ex.Message);
        }
        SendEventAck(sequence);
        if (e is null) return;
        Interlocked.Increment(ref _eventsDelivered);
        try
        {
            EventReceived?.Invoke(e);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Generator event handler failed on {Event}", e);
        }
    }

    private void SendEventAck(ushort sequence)
    {
        int length = GeneratorFrame.Encode(_ackFrame, sequence, MessageType.EventAck, []);
        TryWrite(_ackFrame.AsSpan(0, length));
    }

    private async Task SuperviseAsync()
    {
        var token = _stop.Token;
        var backOff = _timings.ReconnectInterval;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (_state == LinkState.Connected)
                {
                    backOff = _timings.ReconnectInterval;
                    await _downSignal.WaitAsync(token).ConfigureAwait(false);
                    continue;
                }
                if (_connection is null && !TryOpen())
                {
                    await Task.Delay(backOff, token).ConfigureAwait(false);
                    backOff = NextBackOff(backOff);
                    continue;
                }
                if (await TryIdentifyAsync(token).ConfigureAwait(false))
                {
                    if (_firstConnect.Task.IsCompleted) Reconnects++;
                    while (_downSignal.CurrentCount > 0) _downSignal.Wait(0, CancellationToken.None);
                    SetState(LinkState.Connected, $"{Identity?.Model} firmware {Identity?.Firmware} on {_connector.Description}");
                    _firstConnect.TrySetResult();
                }
                else
                {
                    // Reopen the port next time: a pulled cable can leave a handle that neither fails nor carries bytes.
                    CloseConnection();
                    await Task.Delay(backOff, token).ConfigureAwait(false);
                    backOff = NextBackOff(backOff);
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private TimeSpan NextBackOff(TimeSpan current)
    {
        var doubled = current + current;
        return doubled < _timings.ReconnectBackOffMax ? doubled : _timings.ReconnectBackOffMax;
    }

    private bool TryOpen()
    {
        try
        {
            var connection = _connector.Open();
            lock (_gate)
            {
                _connection = connection;
            }
            _connectionReady.Set();
            _logger.LogInformation("Opened {Port}", _connector.Description);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            _logger.LogDebug("Cannot open {Port} yet: {Message}", _connector.Description, e.Message);
            return false;
        }
    }

    private async Task<bool> TryIdentifyAsync(CancellationToken token)
    {
        try
        {
            byte[] answer = await SendAsync(MessageType.Identify, [], token, internalConnect: true).ConfigureAwait(false);
            var identity = ReadAnswer(MessageType.Identify, answer, static (ref PayloadReader r) => GeneratorIdentity.Read(ref r));
            if (identity.ProtocolVersion != GeneratorIdentity.CurrentProtocolVersion)
            {
                _logger.LogError("Generator speaks protocol version {Version}; this station speaks {Ours}", identity.ProtocolVersion, GeneratorIdentity.CurrentProtocolVersion);
                return false;
            }
            answer = await SendAsync(MessageType.GetCapabilities, [], token, internalConnect: true).ConfigureAwait(false);
            Capabilities = ReadAnswer(MessageType.GetCapabilities, answer, static (ref PayloadReader r) => GeneratorCapabilities.Read(ref r));
            Identity = identity;
            await RestoreTechniquesAsync(token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is GeneratorLinkDownException or GeneratorRefusedException or GeneratorProtocolException)
        {
            _logger.LogDebug("Identify failed: {Message}", e.Message);
            return false;
        }
    }

    /// <summary>Sends each remembered technique again, each as a new command (new SEQ): a command whose outcome the
    /// pull left unknown is never repeated, only the last confirmed state is.</summary>
    private async Task RestoreTechniquesAsync(CancellationToken token)
    {
        foreach (var setting in StoredTechniques)
        {
            try
            {
                byte[] answer = await SendAsync(MessageType.SetTechnique, EncodeTechnique(setting), token, internalConnect: true).ConfigureAwait(false);
                var stored = ReadAnswer(MessageType.SetTechnique, answer, static (ref PayloadReader r) => TechniqueSetting.Read(ref r));
                RememberTechnique(stored);
                _logger.LogInformation("Re-sent the {Kind} technique after reconnecting: {Technique} at {Rate} pulses/s", stored.Kind, stored.Technique, stored.PulseRate);
            }
            catch (GeneratorRefusedException e)
            {
                lock (_gate) _storedTechniques.Remove(setting.Kind);
                _logger.LogError("The reconnected generator refused the {Kind} technique ({Message}); it keeps its own until the next SetTechnique", setting.Kind, e.Message);
            }
        }
    }

    private void CloseConnection()
    {
        ISerialConnection? connection;
        lock (_gate)
        {
            connection = _connection;
            _connection = null;
            _connectionReady.Reset();
        }
        Release(connection);
    }

    private void LineLost(ISerialConnection connection, Exception cause)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_connection, connection)) return;
            _connection = null;
            _connectionReady.Reset();
            if (_inFlight is not null) _attemptOutcome = AttemptWake.LineLost;
        }
        _kick.Set();
        if (!_stop.IsCancellationRequested)
        {
            GoDown($"{_connector.Description} is gone: {cause.Message}");
        }
        Release(connection);
    }

    /// <summary>Disposes a connection on the thread pool: a vanished device can make closing it block, and neither
    /// the reader, the sender nor the supervisor may wait for that.</summary>
    private void Release(ISerialConnection? connection)
    {
        if (connection is null) return;
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            var (c, logger) = state;
            try
            {
                c.Dispose();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException)
            {
                logger.LogDebug("Closing the serial line failed: {Message}", e.Message);
            }
        }, (connection, _logger), preferLocal: false);
    }

    private void GoDown(string why)
    {
        if (_state is LinkState.Down or LinkState.Closed) return;
        if (_state == LinkState.Connecting && _firstConnect.Task.IsCompleted is false)
        {
            return; // still trying to connect the first time; the supervisor keeps at it
        }
        SetState(LinkState.Down, why);
        Statistics.WentDown();
        lock (_gate)
        {
            // The command in flight has an unknown outcome now (the heartbeat found the generator silent); it is not sent again.
            if (_inFlight is { AllowedWhileConnecting: false }) _attemptOutcome = AttemptWake.LinkDown;
        }
        _kick.Set();
        FailQueued(new GeneratorLinkDownException($"generator link down: {why}"));
        _downSignal.Release();
    }

    private void FailQueued(Exception error)
    {
        List<PendingCommand> failed = [];
        lock (_gate)
        {
            failed.AddRange(_priority);
            failed.AddRange(_normal);
            _priority.Clear();
            _normal.Clear();
        }
        foreach (var command in failed)
        {
            command.Answer.TrySetException(error);
        }
    }

    private void SetState(LinkState state, string why)
    {
        if (_state == state) return;
        _state = state;
        if (state == LinkState.Down)
        {
            _logger.LogError("Generator link down: {Reason}; heartbeats stopped, emission stops in the generator's heartbeat window", why);
        }
        else
        {
            _logger.LogInformation("Generator link {State}: {Reason}", state, why);
        }
        if (state == LinkState.Connected)
        {
            _beat.RequestNow();
            _kick.Set();
        }
        StateChanged?.Invoke(state, why);
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested) return;
            _stop.Cancel();
        }
        _kick.Set();
        var previous = _state;
        _state = LinkState.Closed;
        if (previous != LinkState.Closed) StateChanged?.Invoke(LinkState.Closed, "disposed");
        _firstConnect.TrySetException(new ObjectDisposedException(nameof(GeneratorLinkV1)));
        _ = _firstConnect.Task.Exception;
        if (_supervisor is { } supervisor)
        {
            try { await supervisor.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
        _sender?.Join(TimeSpan.FromSeconds(2));
        ISerialConnection? connection;
        lock (_gate)
        {
            connection = _connection;
            _connection = null;
        }
        Release(connection);
        _reader?.Join(TimeSpan.FromSeconds(2));
        _stop.Dispose();
        _connectionReady.Dispose();
    }
}
