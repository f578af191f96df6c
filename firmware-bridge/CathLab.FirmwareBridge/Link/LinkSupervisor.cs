using System.Runtime.ExceptionServices;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;

namespace CathLab.FirmwareBridge.Link;

/// <summary>The supervisor lane: on a dedicated thread, opens the port, identifies the generator, reads its capabilities
/// and sends again the techniques it last confirmed; after a cable pull or a silent generator it starts over, pausing
/// <see cref="LinkTimings.ReconnectInterval"/> and doubling the pause after every failed attempt up to
/// <see cref="LinkTimings.ReconnectBackOffMax"/>. It blocks on the command lane's answers; it never uses the thread pool.</summary>
internal sealed class LinkSupervisor(
    ISerialConnector connector, SerialLine line, CommandLane commands, LinkStateMachine machine, LinkStatistics statistics,
    LinkClock clock, LinkTimings timings, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Dictionary<ExposureKind, TechniqueSetting> _storedTechniques = [];
    private Thread? _thread;
    private bool _connectedOnce;

    public GeneratorIdentity? Identity { get; private set; }
    public GeneratorCapabilities? Capabilities { get; private set; }

    /// <summary>The pause before the next attempt (what the back-off has reached).</summary>
    public TimeSpan BackOff { get; private set; } = timings.ReconnectInterval;

    /// <summary>Raised on the supervisor's thread each time the generator is identified.</summary>
    public event Action? Identified;

    /// <summary>The techniques the generator last confirmed, one per kind.</summary>
    public IReadOnlyList<TechniqueSetting> StoredTechniques
    {
        get { lock (_gate) return [.. _storedTechniques.Values]; }
    }

    public void Remember(TechniqueSetting stored)
    {
        lock (_gate) _storedTechniques[stored.Kind] = stored;
    }

    /// <summary>The link went down: start over.</summary>
    public void Restart() => _wake.Set();

    public void Start(CancellationToken stop)
    {
        _thread = new Thread(() => Run(stop)) { IsBackground = true, Name = "generator-link supervisor" };
        _thread.Start();
    }

    public void Join(TimeSpan timeout)
    {
        _wake.Set();
        _thread?.Join(timeout);
    }

    private void Run(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (machine.State == LinkState.Connected)
            {
                BackOff = timings.ReconnectInterval;
                clock.Wait(_wake, 1000);
                continue;
            }
            if (!line.IsOpen && !TryOpen())
            {
                Pause(stop);
                continue;
            }
            if (TryIdentify(stop))
            {
                if (_connectedOnce) statistics.Reconnected();
                _connectedOnce = true;
                _wake.Reset();
                machine.Fire(LinkInput.Identified, $"{Identity?.Model} firmware {Identity?.Firmware} on {connector.Description}");
                Identified?.Invoke();
            }
            else
            {
                // Reopen the port next time: a pulled cable can leave a handle that neither fails nor carries bytes.
                line.Close();
                machine.Fire(LinkInput.IdentifyFailed, "identification failed");
                Pause(stop);
            }
        }
    }

    private void Pause(CancellationToken stop)
    {
        clock.Wait(_wake, (long)BackOff.TotalMilliseconds);
        if (stop.IsCancellationRequested) return;
        var doubled = BackOff + BackOff;
        BackOff = doubled < timings.ReconnectBackOffMax ? doubled : timings.ReconnectBackOffMax;
    }

    private bool TryOpen()
    {
        try
        {
            line.Attach(connector.Open());
            logger.LogInformation("Opened {Port}", connector.Description);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            logger.LogDebug("Cannot open {Port} yet: {Message}", connector.Description, e.Message);
            return false;
        }
    }

    private bool TryIdentify(CancellationToken stop)
    {
        try
        {
            var identity = Ask(MessageType.Identify, [], stop, static (ref PayloadReader r) => GeneratorIdentity.Read(ref r));
            if (identity.ProtocolVersion != GeneratorIdentity.CurrentProtocolVersion)
            {
                logger.LogError("Generator speaks protocol version {Version}; this station speaks {Ours}", identity.ProtocolVersion, GeneratorIdentity.CurrentProtocolVersion);
                return false;
            }
            Capabilities = Ask(MessageType.GetCapabilities, [], stop, static (ref PayloadReader r) => GeneratorCapabilities.Read(ref r));
            Identity = identity;
            RestoreTechniques(stop);
            return true;
        }
        catch (Exception e) when (e is GeneratorLinkDownException or GeneratorRefusedException or GeneratorProtocolException)
        {
            logger.LogDebug("Identify failed: {Message}", e.Message);
            return false;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Sends each remembered technique again, each as a new command (new SEQ): a command whose outcome the
    /// pull left unknown is never repeated, only the last confirmed state is.</summary>
    private void RestoreTechniques(CancellationToken stop)
    {
        foreach (var setting in StoredTechniques)
        {
            try
            {
                var stored = Ask(MessageType.SetTechnique, TechniqueCodec.Encode(setting), stop, static (ref PayloadReader r) => TechniqueSetting.Read(ref r));
                Remember(stored);
                logger.LogInformation("Re-sent the {Kind} technique after reconnecting: {Technique} at {Rate} pulses/s", stored.Kind, stored.Technique, stored.PulseRate);
            }
            catch (GeneratorRefusedException e)
            {
                lock (_gate) _storedTechniques.Remove(setting.Kind);
                logger.LogError("The reconnected generator refused the {Kind} technique ({Message}); it keeps its own until the next SetTechnique", setting.Kind, e.Message);
            }
        }
    }

    private T Ask<T>(MessageType type, byte[] payload, CancellationToken stop, AnswerReader<T> read)
    {
        var answer = commands.Submit(type, payload, whileConnecting: true);
        try
        {
            answer.Wait(stop);
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
        }
        return AnswerReaders.Read(type, answer.Result, read);
    }
}
