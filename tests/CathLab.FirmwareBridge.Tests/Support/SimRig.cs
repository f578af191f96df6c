using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Link;
using CathLab.Sims.Generator;
using CathLab.Sims.Physics;
using CathLab.Testing;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Support;

/// <summary>Hardware-in-the-loop tests run one at a time: each drives real threads on both ends of a pty.</summary>
[CollectionDefinition("hil", DisableParallelization = true)]
public sealed class HilCollection;

/// <summary>Records every pulse the simulated tube really delivered, whether or not the station heard of it.</summary>
public sealed class DeliveredPulses : IPulseObserver
{
    private readonly List<DeliveredPulse> _pulses = [];

    public void OnPulse(in DeliveredPulse pulse)
    {
        lock (_pulses) _pulses.Add(pulse);
    }

    public IReadOnlyList<DeliveredPulse> Snapshot()
    {
        lock (_pulses) return [.. _pulses];
    }

    public int After(long micros) => Snapshot().Count(p => p.TimestampMicroseconds > micros);
}

/// <summary>The in-process simulated generator on one end of a real socat pseudo-terminal pair, and the station's
/// bridge on the other, speaking the protocol through System.IO.Ports on both sides.</summary>
public sealed class SimRig : IAsyncDisposable
{
    private readonly PtyPair? _ownedPty;

    // Both ends of the link, the detectors and xunit share one process; tests block pool threads while they wait, and
    // System.IO.Ports on Unix completes reads and writes through tasks. Enough pool threads keep the test's own
    // waiting from starving the link.
    static SimRig() => ThreadPool.SetMinThreads(Math.Max(32, Environment.ProcessorCount * 4), 16);

    private SimRig(PtyPair? pty, string stationEnd, string generatorEnd, GeneratorSerialEndpoint endpoint, SimulatedGenerator generator, GeneratorBridge bridge, GeneratorLinkV1 link)
    {
        _ownedPty = pty;
        StationEnd = stationEnd;
        GeneratorEnd = generatorEnd;
        Endpoint = endpoint;
        Generator = generator;
        Bridge = bridge;
        Link = link;
        generator.AddObserver(Delivered);
        link.EventReceived += Events.Add;
    }

    public string StationEnd { get; }
    public string GeneratorEnd { get; }
    /// <summary>The pty pair the rig made itself (null when the caller brought the paths).</summary>
    public PtyPair? Pty => _ownedPty;
    public GeneratorSerialEndpoint Endpoint { get; private set; }
    public SimulatedGenerator Generator { get; private set; }
    public GeneratorBridge Bridge { get; }
    public GeneratorLinkV1 Link { get; }
    public EventLog Events { get; } = new();
    public DeliveredPulses Delivered { get; private set; } = new();
    /// <summary>Every line the bridge logged.</summary>
    public ListLogger<object> Log { get; private set; } = new();

    /// <summary>The test machine is a shared 2-core box whose load average runs past 40 while other projects build, and a
    /// user-space thread can then wait hundreds of milliseconds for a core. So that the protocol's behaviour, not the
    /// scheduler, decides each test, the rigs widen the generator's heartbeat window to 1 s and the station's answer
    /// timeout to 100 ms (8 retries). The assertions (pulses after a release, a stop or a fault; loss and duplication)
    /// do not depend on those values; the defaults (250 ms, 40 ms × 5) are what production uses.</summary>
    public static GeneratorSimOptions LoadTolerantGenerator { get; } =
        new() { Capabilities = new GeneratorSimOptions().Capabilities with { HeartbeatWindowMs = 1000 } };

    public static LinkTimings LoadTolerantTimings { get; } = new() { AnswerTimeout = TimeSpan.FromMilliseconds(100), MaxRetries = 8 };

    /// <summary>The station port's write timeout, widened like the timings above (production: 100 ms).</summary>
    public static TimeSpan LoadTolerantWriteTimeout { get; } = TimeSpan.FromSeconds(1);

    public static async Task<SimRig> StartAsync(SerialFaultOptions? faults = null, GeneratorSimOptions? options = null, LinkTimings? timings = null)
    {
        var pty = new PtyPair();
        try
        {
            return await StartAsync(pty, pty.StationEnd, pty.GeneratorEnd, faults, options, timings);
        }
        catch
        {
            pty.Dispose();
            throw;
        }
    }

    public static async Task<SimRig> StartAsync(PtyPair? pty, string stationEnd, string generatorEnd, SerialFaultOptions? faults = null, GeneratorSimOptions? options = null, LinkTimings? timings = null)
    {
        var (endpoint, generator) = StartGenerator(generatorEnd, faults, options ?? LoadTolerantGenerator);
        var log = new ListLogger<object>();
        var loggers = new SingleLoggerFactory(log);
        var link = new GeneratorLinkV1(SerialConnectors.ForPort(stationEnd, writeTimeout: LoadTolerantWriteTimeout), timings ?? LoadTolerantTimings,
            new Microsoft.Extensions.Logging.Logger<GeneratorLinkV1>(loggers));
        var bridge = new GeneratorBridge(link, loggers);
        var rig = new SimRig(pty, stationEnd, generatorEnd, endpoint, generator, bridge, link) { Log = log };
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await bridge.ConnectAsync(guard.Token);
        return rig;
    }

    private static (GeneratorSerialEndpoint, SimulatedGenerator) StartGenerator(string generatorEnd, SerialFaultOptions? faults, GeneratorSimOptions? options)
    {
        var endpoint = new GeneratorSerialEndpoint(generatorEnd, 115200, faults ?? SerialFaultOptions.None);
        var generator = new SimulatedGenerator(options ?? new GeneratorSimOptions(), new XRayPhysics(), endpoint);
        endpoint.Start(generator);
        return (endpoint, generator);
    }

    /// <summary>Pulls the cable between station and generator: socat dies, both device paths vanish.</summary>
    public void PullCable()
    {
        (Pty ?? throw new InvalidOperationException("the rig does not own its pty")).Pull();
        // A real generator's UART keeps sending into nothing without blocking. The simulator's System.IO.Ports writes on
        // the vanished pty block up to their 1 s timeout each, while its generator holds its state lock, so that its
        // event retransmissions would stall it for half a minute: tell its endpoint the line is dead.
        Endpoint.Silent = true;
    }

    /// <summary>Plugs a new cable in at the same paths, with a freshly powered generator on it (the simulator's
    /// endpoint cannot reopen its port, and a real generator that lost its line is power-cycled anyway).</summary>
    public void RestoreCable(GeneratorSimOptions? options = null)
    {
        (Pty ?? throw new InvalidOperationException("the rig does not own its pty")).Restore();
        ReplaceGenerator(GeneratorEnd, options);
    }

    /// <summary>After a cable pull: a generator (the same model, freshly powered) on the restored line.</summary>
    public void ReplaceGenerator(string generatorEnd, GeneratorSimOptions? options = null)
    {
        var (oldGenerator, oldEndpoint) = (Generator, Endpoint);
        // Closing a port whose pty vanished can block for good inside System.IO.Ports: let a background thread have it.
        new Thread(() =>
        {
            oldGenerator.Dispose();
            oldEndpoint.Dispose();
        }) { IsBackground = true, Name = "old sim generator disposal" }.Start();
        (Endpoint, Generator) = StartGenerator(generatorEnd, null, options ?? LoadTolerantGenerator);
        Delivered = new DeliveredPulses();
        Generator.AddObserver(Delivered);
    }

    /// <summary>Presses and holds the pedal until the generator reports exposing and <paramref name="pulses"/> pulses.</summary>
    public void ExposeUntilPulses(ExposureKind kind, int pulses)
    {
        int before = Events.OfType<PulseEvent>().Count;
        var t = Bridge.Exposure.PedalPressed(kind);
        Assert.True(t.Accepted, t.ToString());
        Events.WaitFor(e => e.OfType<PulseEvent>().Count() >= before + pulses, $"{pulses} {kind} pulses");
    }

    /// <summary>Waits until the exposure controller has taken in what the generator reported and reached <paramref name="state"/>.</summary>
    public void WaitForExposure(ExposureState state) => Until.True(() => Bridge.Exposure.State == state, $"exposure state {state} (now {Bridge.Exposure.State})");

    public async ValueTask DisposeAsync()
    {
        await Bridge.DisposeAsync();
        if (_ownedPty is { Connected: false })
        {
            // A test that failed with the cable pulled: the endpoint's port is dead and closing it may block.
            var (generator, endpoint) = (Generator, Endpoint);
            new Thread(() =>
            {
                generator.Dispose();
                endpoint.Dispose();
            }) { IsBackground = true }.Start();
        }
        else
        {
            Generator.Dispose();
            Endpoint.Dispose();
        }
        _ownedPty?.Dispose();
    }

    private sealed class SingleLoggerFactory(ListLogger<object> log) : Microsoft.Extensions.Logging.ILoggerFactory
    {
        public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider) { }
        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => log;
        public void Dispose() { }
    }
}
