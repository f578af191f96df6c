using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;

namespace CathLab.FirmwareBridge.Link;

/// <summary>Where each decoded frame from the generator goes: an answer to the heartbeat lane or the command lane, a
/// FrameError to the command lane, an event through the event sequencer (acknowledged, then delivered once, in order).
/// Runs on the reader thread only.</summary>
internal sealed class FrameDispatcher(
    HeartbeatLane heartbeat, CommandLane commands, EventSequencer events, LinkStatistics statistics, LinkClock clock,
    Func<ReadOnlySpan<byte>, bool> write, ILogger logger)
{
    private readonly byte[] _ackFrame = new byte[GeneratorFrame.Overhead];

    /// <summary>Each generator event, once, in order, on the reader thread.</summary>
    public event Action<GeneratorEvent>? EventReceived;

    /// <summary>The generator discarded events from its full backlog (an EventsLost event came).</summary>
    public event Action<EventsLostEvent>? EventsLost;

    public void Dispatch(ushort sequence, MessageType type, ReadOnlySpan<byte> payload)
    {
        switch (type)
        {
            case MessageType.Ack:
            case MessageType.Nak:
                if (payload.Length >= 1 && payload[0] == (byte)MessageType.Heartbeat && heartbeat.TryAcknowledge(sequence, out long sent))
                {
                    statistics.Answered(clock.MicrosSince(sent));
                    return;
                }
                commands.OnAnswer(sequence, type, payload);
                break;
            case MessageType.FrameError:
                commands.OnFrameError();
                break;
            case MessageType.Event:
                OnEvent(sequence, payload);
                break;
            default:
                logger.LogWarning("Unexpected frame type 0x{Type:X2} from the generator ignored", (byte)type);
                break;
        }
    }

    private void OnEvent(ushort sequence, ReadOnlySpan<byte> payload)
    {
        switch (events.Judge(sequence))
        {
            case EventVerdict.Ignore:
                return; // event numbering restarts with the session; unacknowledged events come again
            case EventVerdict.Drop:
                statistics.EventDropped();
                Acknowledge(events.LastInOrder);
                return;
        }
        GeneratorEvent? e = null;
        try
        {
            e = GeneratorEvent.Read(payload);
        }
        catch (MalformedPayloadException ex)
        {
            logger.LogError("Generator event {Sequence} is malformed and was skipped: {Message}", sequence, ex.Message);
        }
        Acknowledge(sequence);
        if (e is null) return;
        statistics.EventDelivered();
        if (e is EventsLostEvent lost)
        {
            statistics.EventsLostReported(lost.Count);
            logger.LogError("The generator discarded {Count} events from its full backlog: what it did meanwhile is unknown", lost.Count);
            Raise(EventsLost, lost);
        }
        Raise(EventReceived, e);
    }

    private void Raise<T>(Action<T>? handlers, T e) where T : GeneratorEvent
    {
        try
        {
            handlers?.Invoke(e);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Generator event handler failed on {Event}", e);
        }
    }

    private void Acknowledge(ushort sequence)
    {
        int length = GeneratorFrame.Encode(_ackFrame, sequence, MessageType.EventAck, []);
        write(_ackFrame.AsSpan(0, length));
    }
}
