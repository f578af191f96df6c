using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using CathLab.Sims.Detector;
using CathLab.Sims.Phantom;
using CathLab.Sims.Physics;
using CathLab.Wire.Generator;

namespace CathLab.Bench.Links;

/// <summary>One second of 60 fps frames (60 × 1024×1024×16 bit): rendered only, rendered and served over
/// the frame link to a real client, and, as the machine's own bound, the same bytes over a bare loopback
/// socket. Under 1 s per operation means the simulator can sustain 60 fps.</summary>
[Config(typeof(ShortInProcessConfig))]
public class FrameLinkBenchmarks
{
    public const int FramesPerSecond = 60;
    private static readonly Technique Cine = new(80, 200, 6);
    private FrameRenderer _renderer = null!;
    private ushort[] _pixels = null!;
    private SimulatedDetector _detector = null!;
    private FrameLinkReceiver _receiver = null!;
    private RawLoopback _raw = null!;
    private uint _pulseId;

    [GlobalSetup]
    public void Setup()
    {
        var options = new SimulatedDetectorOptions();
        _renderer = new FrameRenderer(new PhantomWorld(options.Phantom, options.Physics.PixelPitchMm), new XRayPhysics(options.Physics, options.BitsStored), 1);
        _pixels = new ushort[1024 * 1024];
        _detector = new SimulatedDetector(options);
        _detector.Start();
        _receiver = FrameLinkReceiver.ConnectAsync(_detector.Port).GetAwaiter().GetResult();
        _raw = new RawLoopback();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _receiver.Dispose();
        _detector.Dispose();
        _raw.Dispose();
    }

    [Benchmark(Baseline = true, Description = "bare loopback socket, 60 × 2 MiB")]
    public void RawLoopbackSecond() => _raw.Transfer(FramesPerSecond);

    [Benchmark(Description = "render only, 60 frames")]
    public void RenderSecond()
    {
        for (int i = 0; i < FramesPerSecond; i++)
        {
            _renderer.RenderExposure(Cine, ++_pulseId * 16_667L, DetectorMode.Full1024, _pulseId, _pixels);
        }
    }

    [Benchmark(Description = "render + frame link to a client, 60 frames")]
    public void FrameLinkSecond()
    {
        long lostBefore = _receiver.Lost;
        int received = _receiver.Received;
        for (int i = 0; i < FramesPerSecond; i++)
        {
            // Back-pressure so the throughput is measured rather than the pool's depth.
            _receiver.WaitFor(received + i - 8);
            _detector.OnPulse(new Sims.Generator.DeliveredPulse(++_pulseId, _pulseId * 16_667L, Cine, ExposureKind.Cine, 0));
        }
        _receiver.WaitFor(received + FramesPerSecond);
        if (_receiver.Lost != lostBefore || _detector.PulsesOverrun != 0 || _detector.PoolExhausted != 0)
        {
            throw new InvalidOperationException("frames were lost during the benchmark");
        }
    }

    /// <summary>The same bytes a frame-link frame carries, over a plain connected loopback socket pair.</summary>
    private sealed class RawLoopback : IDisposable
    {
        private readonly Socket _sender;
        private readonly Socket _receiver;
        private readonly byte[] _frame = new byte[64 + 1024 * 1024 * 2];
        private readonly byte[] _sink = new byte[64 + 1024 * 1024 * 2];

        public RawLoopback()
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen();
            _sender = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendBufferSize = 4 << 20 };
            _sender.Connect(listener.LocalEndPoint!);
            _receiver = listener.Accept();
        }

        public void Transfer(int frames)
        {
            var reader = Task.Run(() =>
            {
                for (int f = 0; f < frames; f++)
                {
                    int got = 0;
                    while (got < _sink.Length)
                    {
                        got += _receiver.Receive(_sink, got, _sink.Length - got, SocketFlags.None);
                    }
                }
            });
            for (int f = 0; f < frames; f++)
            {
                _sender.Send(_frame);
            }
            reader.GetAwaiter().GetResult();
        }

        public void Dispose()
        {
            _sender.Dispose();
            _receiver.Dispose();
        }
    }
}
