using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using CathLab.FirmwareBridge.Link;
using CathLab.Sims.Generator;
using CathLab.Sims.Physics;
using CathLab.Testing;
using CathLab.Wire.Generator;

namespace CathLab.Bench.Bridge;

/// <summary>Command round trips through the bridge to the simulated generator over a socat pty pair, as a ratio to the
/// serial line's own bound: the bits of the command and its answer on the wire (10 bits a byte, 8N1) over 115200 baud.
/// The baseline spins for exactly that bound, so BenchmarkDotNet's Ratio column is round trip / wire time.
/// A pty does not pace bytes at the baud rate, so on a pty the measured time is the software path alone; on a real
/// line the wire time adds to it.</summary>
[ShortRunJob]
[MemoryDiagnoser]
public class RoundTripBenchmarks
{
    public const int Baud = 115200;

    // GetStatus: command frame 8 bytes; Ack frame 8 + 1 (answered type) + 9 (status) = 18 bytes.
    public const int GetStatusWireBytes = 8 + 18;

    private PtyPair? _pty;
    private GeneratorSerialEndpoint? _endpoint;
    private SimulatedGenerator? _generator;
    private GeneratorLinkV1? _link;
    private TechniqueSetting _setting = new(ExposureKind.Fluoro, new Technique(75, 20, 6), 15);
    private long _wireTicks;

    public static double WireSeconds(int bytes) => bytes * 10.0 / Baud;

    [GlobalSetup]
    public void Setup()
    {
        // The benchmark waits synchronously; System.IO.Ports on Unix completes I/O through tasks (see docs/firmware-bridge.md).
        ThreadPool.SetMinThreads(16, 16);
        _pty = new PtyPair();
        _endpoint = new GeneratorSerialEndpoint(_pty.GeneratorEnd, Baud, SerialFaultOptions.None);
        _generator = new SimulatedGenerator(new GeneratorSimOptions(), new XRayPhysics(), _endpoint);
        _endpoint.Start(_generator);
        _link = new GeneratorLinkV1(new SerialPortConnector(_pty.StationEnd, Baud));
        _link.ConnectAsync().WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        _wireTicks = (long)(WireSeconds(GetStatusWireBytes) * Stopwatch.Frequency);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _link?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _generator?.Dispose();
        _endpoint?.Dispose();
        _pty?.Dispose();
    }

    /// <summary>The physical bound of a GetStatus exchange: 26 bytes × 10 bits / 115200 baud = 2.26 ms.</summary>
    [Benchmark(Baseline = true)]
    public void WireTimeOfGetStatus()
    {
        long end = Stopwatch.GetTimestamp() + _wireTicks;
        while (Stopwatch.GetTimestamp() < end) Thread.SpinWait(20);
    }

    [Benchmark]
    public GeneratorStatus GetStatus() => _link!.GetStatusAsync().GetAwaiter().GetResult();

    /// <summary>SetTechnique: 17 + 18 bytes on the wire (3.04 ms at 115200).</summary>
    [Benchmark]
    public TechniqueSetting SetTechnique() => _link!.SetTechniqueAsync(_setting).GetAwaiter().GetResult();
}
