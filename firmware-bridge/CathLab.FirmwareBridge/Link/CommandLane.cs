using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;

namespace CathLab.FirmwareBridge.Link;

/// <summary>The command lane of protocol v1: at most one command outstanding (stop-and-wait), sent again with the same
/// SEQ after a FrameError or a silent answer timeout, up to the retries; ExposeOff goes ahead of every queued command,
/// pre-empts the one in flight (which is never sent again) and takes queued ExposeOn out (they would restart emission
/// after it). Driven by the send thread through <see cref="Service"/>; the reader settles answers; any thread submits.</summary>
internal sealed class CommandLane(
    LinkSequence sequence, EventSequencer events, LinkStatistics statistics, LinkClock clock, LinkTimings timings,
    Func<ReadOnlySpan<byte>, bool> write, Func<LinkState> state, Action wake, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly Queue<PendingCommand> _normal = new();
    private readonly Queue<PendingCommand> _priority = new();
    private readonly byte[] _frame = new byte[GeneratorFrame.MaxFrame];
    private PendingCommand? _inFlight;
    private AttemptWake? _outcome;
    private int _frameLength;
    private int _silentRetries;
    private long _deadline;
    private bool _closed;

    /// <summary>Raised on the send thread when the command in flight went unanswered through every retry.</summary>
    public event Action<string>? GeneratorSilent;

    public long AnswerTimeoutMs { get; } = (long)Math.Max(1, timings.AnswerTimeout.TotalMilliseconds);

    /// <summary>When the attempt in flight times out; <see cref="long.MaxValue"/> when none is.</summary>
    public long NextDeadline
    {
        get { lock (_gate) return _inFlight is null ? long.MaxValue : _deadline; }
    }

    /// <summary>Queues a command. <paramref name="whileConnecting"/> lets Identify, GetCapabilities and the restored
    /// techniques through while the link is not yet connected; nothing else goes then. The task is completed on the
    /// lane's threads and runs no continuation inline, so a thread may block on it without needing the thread pool.</summary>
    public Task<byte[]> Submit(MessageType type, byte[] payload, bool whileConnecting)
    {
        var command = new PendingCommand(type, payload, whileConnecting);
        List<PendingCommand>? cancelled = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(GeneratorLinkV1));
            var now = state();
            if (!whileConnecting && now != LinkState.Connected)
            {
                return Task.FromException<byte[]>(new GeneratorLinkDownException($"{type} not sent: generator link is {now}"));
            }
            if (type == MessageType.ExposeOff)
            {
                _priority.Enqueue(command);
                if (_inFlight is { } current && IsPreemptible(current.Type)) _outcome ??= AttemptWake.Preempted;
                cancelled = TakeQueuedExposeOn();
            }
            else
            {
                _normal.Enqueue(command);
            }
        }
        wake();
        if (cancelled is not null)
        {
            foreach (var c in cancelled) c.Answer.TrySetException(new CommandPreemptedException(c.Type));
        }
        return command.Answer.Task;
    }

    private static bool IsPreemptible(MessageType type) => type is not (MessageType.ExposeOff or MessageType.Identify);

    private List<PendingCommand>? TakeQueuedExposeOn()
    {
        if (!_normal.Any(c => c.Type == MessageType.ExposeOn)) return null;
        var cancelled = _normal.Where(c => c.Type == MessageType.ExposeOn).ToList();
        var kept = _normal.Where(c => c.Type != MessageType.ExposeOn).ToList();
        _normal.Clear();
        foreach (var c in kept) _normal.Enqueue(c);
        return cancelled;
    }

    /// <summary>True when the Ack or Nak answered the command in flight (and settled it).</summary>
    public bool OnAnswer(ushort answered, MessageType type, ReadOnlySpan<byte> payload)
    {
        PendingCommand? command;
        lock (_gate)
        {
            command = _inFlight;
            if (command is null || command.Sequence != answered || payload.Length < 1 || payload[0] != (byte)command.Type)
            {
                return false; // a late answer to a command already settled, or a pre-empted one
            }
        }
        statistics.Answered(clock.MicrosSince(command.FirstSentTimestamp));
        if (type == MessageType.Ack)
        {
            if (command.Type == MessageType.Identify) events.IdentifySettled(answered: true); // events numbered from 1 again
            command.Answer.TrySetResult(payload[1..].ToArray());
        }
        else
        {
            var refusal = ReadRefusal(command.Type, payload);
            logger.LogWarning("Generator refused {Command}: {Reason} ({Text})", refusal.Command, refusal.Reason.Describe(), refusal.Text);
            command.Answer.TrySetException(new GeneratorRefusedException(refusal));
        }
        lock (_gate)
        {
            if (ReferenceEquals(_inFlight, command)) _outcome = AttemptWake.Answered;
        }
        wake();
        return true;
    }

    private static Refusal ReadRefusal(MessageType command, ReadOnlySpan<byte> payload)
    {
        try
        {
            var r = new PayloadReader(payload);
            return Refusal.Read(ref r);
        }
        catch (MalformedPayloadException e)
        {
            return new Refusal(command, RefusalReason.Malformed, $"unreadable Nak: {e.Message}");
        }
    }

    /// <summary>The generator reported a damaged frame: the command in flight goes again with its SEQ.</summary>
    public void OnFrameError()
    {
        lock (_gate)
        {
            if (_inFlight is not null) _outcome ??= AttemptWake.FrameError;
        }
        wake();
    }

    /// <summary>The port went away: the command in flight was not delivered (or its answer cannot come).</summary>
    public void OnLineLost()
    {
        lock (_gate)
        {
            if (_inFlight is not null) _outcome = AttemptWake.LineLost;
        }
        wake();
    }

    /// <summary>The link went down: the command in flight has an unknown outcome and is not sent again; queued ones fail.</summary>
    public void OnLinkDown(string why)
    {
        lock (_gate)
        {
            if (_inFlight is { AllowedWhileConnecting: false }) _outcome = AttemptWake.LinkDown;
        }
        wake();
        FailQueued(new GeneratorLinkDownException($"generator link down: {why}"));
    }

    /// <summary>Moves the lane on: settles the command in flight when its answer (or a pre-emption, or the loss of the
    /// line) came, sends it again after a FrameError or a silent answer timeout, and starts the next one.</summary>
    public void Service(long now)
    {
        while (true)
        {
            PendingCommand? command;
            AttemptWake? outcome;
            lock (_gate)
            {
                if (_closed) return;
                command = _inFlight;
                outcome = _outcome;
                _outcome = null;
            }
            if (command is null)
            {
                if (!StartNext(now)) return;
                continue;
            }
            if (command.Answer.Task.IsCompleted && outcome is null or AttemptWake.FrameError) outcome = AttemptWake.Answered;
            switch (outcome)
            {
                case AttemptWake.Answered:
                    Settle();
                    continue;
                case AttemptWake.Preempted:
                    Settle(new CommandPreemptedException(command.Type));
                    continue;
                case AttemptWake.LineLost:
                    Settle(new GeneratorLinkDownException($"{command.Type} not delivered: the serial line is gone"));
                    continue;
                case AttemptWake.LinkDown:
                    Settle(new GeneratorLinkDownException($"{command.Type} outcome unknown: the generator link went down"));
                    continue;
                case AttemptWake.FrameError:
                    if (Transmit(command, now, retry: true)) return;
                    continue;
                default:
                    if (now < _deadline) return;
                    statistics.AnswerTimedOut();
                    if (++_silentRetries > timings.MaxRetries)
                    {
                        string why = $"no answer to {command.Type} (SEQ {command.Sequence}) after {timings.MaxRetries} retries";
                        Settle(new GeneratorLinkDownException(why));
                        GeneratorSilent?.Invoke(why);
                        continue;
                    }
                    if (Transmit(command, now, retry: true)) return;
                    continue;
            }
        }
    }

    private bool StartNext(long now)
    {
        PendingCommand? command;
        lock (_gate)
        {
            if (!_priority.TryDequeue(out command) && !_normal.TryDequeue(out command)) return false;
        }
        var link = state();
        if (!command.AllowedWhileConnecting && link != LinkState.Connected)
        {
            command.Answer.TrySetException(new GeneratorLinkDownException($"{command.Type} not sent: generator link is {link}"));
            return true;
        }
        lock (_gate)
        {
            command.Sequence = sequence.Next();
            _frameLength = GeneratorFrame.Encode(_frame, command.Sequence, command.Type, command.Payload);
            _inFlight = command;
            _outcome = null;
            if (command.Type == MessageType.Identify) events.IdentifySent();
        }
        _silentRetries = 0;
        command.FirstSentTimestamp = clock.Timestamp;
        Transmit(command, now, retry: false);
        return true;
    }

    /// <summary>Sends the command in flight (again, with its SEQ, when <paramref name="retry"/>), unless ExposeOff is
    /// waiting: a pre-empted command is never sent again, since the generator would execute it anew after ExposeOff.</summary>
    private bool Transmit(PendingCommand command, long now, bool retry)
    {
        lock (_gate)
        {
            if (_priority.Count > 0 && IsPreemptible(command.Type))
            {
                _outcome = AttemptWake.Preempted;
                return false;
            }
            _deadline = now + AnswerTimeoutMs;
        }
        if (retry) statistics.Retransmitted();
        command.Transmissions++;
        if (!write(_frame.AsSpan(0, _frameLength)))
        {
            lock (_gate) _outcome = AttemptWake.LineLost;
            return false;
        }
        return true;
    }

    private void Settle(Exception? error = null)
    {
        PendingCommand? settled;
        lock (_gate)
        {
            settled = _inFlight;
            _inFlight = null;
            _outcome = null;
        }
        if (settled is null) return;
        if (error is not null) settled.Answer.TrySetException(error);
        if (settled.Type == MessageType.Identify && !settled.Answer.Task.IsCompletedSuccessfully) events.IdentifySettled(answered: false);
    }

    private void FailQueued(Exception error)
    {
        List<PendingCommand> failed;
        lock (_gate)
        {
            failed = [.. _priority, .. _normal];
            _priority.Clear();
            _normal.Clear();
        }
        foreach (var command in failed) command.Answer.TrySetException(error);
    }

    /// <summary>The link is disposed: nothing more is taken; what is in flight or queued fails.</summary>
    public void Close()
    {
        PendingCommand? abandoned;
        lock (_gate)
        {
            _closed = true;
            abandoned = _inFlight;
            _inFlight = null;
        }
        abandoned?.Answer.TrySetException(new ObjectDisposedException(nameof(GeneratorLinkV1)));
        FailQueued(new ObjectDisposedException(nameof(GeneratorLinkV1)));
    }
}
