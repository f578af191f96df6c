using System.Collections.Concurrent;
using System.Diagnostics;
using CathLab.Sims.Generator;
using CathLab.Sims.Phantom;
using CathLab.Sims.Physics;
using CathLab.Wire.FrameLink;

namespace CathLab.Sims.Detector;

/// <summary>The simulated detector: sees every generator pulse, renders one frame per pulse through
/// the phantom on its own thread, and serves frames over the frame link (docs/frame-link.md).</summary>
public sealed class SimulatedDetector : IPulseObserver, IFrameLinkDetector, IDisposable
{
    private readonly SimulatedDetectorOptions _options;
    private readonly FrameRenderer _renderer;
    private readonly FramePool _pool;
    private readonly FrameLinkServer _server;
    private readonly BlockingCollection<RenderJob> _jobs;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Thread _renderThread;
    private FaultState _faults;
    private int _mode;
    private long _lastPulseTimestamp;
    private long _framesRendered;
    private long _framesDroppedByFault;
    private long _framesLate;
    private long _pulsesOverrun;
    private long _poolExhausted;
    private ulong _darkFrameIndex;
    private bool _started;
    private volatile bool _attenuator;

    public SimulatedDetector(SimulatedDetectorOptions options)
    {
        options.Faults.Validate();
        if (options.ClientQueueDepth < 1 || options.RenderQueueDepth < 1 || options.FrameBuffers < 4)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "queue depths must be positive and at least 4 frame buffers are needed");
        }
        _options = options;
        Physics = new XRayPhysics(options.Physics, options.BitsStored);
        World = new PhantomWorld(options.Phantom, options.Physics.PixelPitchMm);
        _renderer = new FrameRenderer(World, Physics, (ulong)options.Seed);
        _pool = new FramePool(options.FrameBuffers, options.PreallocatedFrameBuffers);
        _server = new FrameLinkServer(options.Port, options.ClientQueueDepth, this);
        _jobs = new BlockingCollection<RenderJob>(new ConcurrentQueue<RenderJob>(), options.RenderQueueDepth);
        _faults = new FaultState(options.Faults);
        _mode = (int)options.Mode;
        _renderThread = new Thread(RenderLoop) { IsBackground = true, Name = "detector render", Priority = ThreadPriority.AboveNormal };
    }

    /// <summary>The tube and detector physics; pass it to the generator as its <see cref="ITubeOutput"/>.</summary>
    public XRayPhysics Physics { get; }

    public ITubeOutput TubeOutput => Physics;

    /// <summary>The patient: inject contrast, pan the table, collimate through it.</summary>
    public PhantomWorld World { get; }

    /// <summary>The frame-link port; valid after <see cref="Start"/>.</summary>
    public int Port => _server.Port;

    public int BitsStored => Physics.BitsStored;

    public DetectorMode Mode => (DetectorMode)Volatile.Read(ref _mode);

    public int ClientCount => _server.ClientCount;
    public int SubscriberCount => _server.SubscriberCount;
    /// <summary>Exposed frames rendered and handed to the clients (or dropped by a fault).</summary>
    public long FramesRendered => Interlocked.Read(ref _framesRendered);
    public long FramesDroppedByFault => Interlocked.Read(ref _framesDroppedByFault);
    public long FramesLate => Interlocked.Read(ref _framesLate);

    /// <summary>Pulses lost because the render queue was full (the renderer fell behind the generator).</summary>
    public long PulsesOverrun => Interlocked.Read(ref _pulsesOverrun);

    /// <summary>Exposures lost because every frame buffer was in use.</summary>
    public long PoolExhausted => Interlocked.Read(ref _poolExhausted);

    public long FramesDroppedForSlowClients => _server.FramesDroppedForSlowClients;

    /// <summary>Frame buffers allocated so far: the deepest backlog seen, bounded by the options.</summary>
    public int FrameBuffersAllocated => _pool.Allocated;

    public DetectorFaultOptions Faults => Volatile.Read(ref _faults).Options;

    /// <summary>The fixed pattern (gain, offset, defects) the detector applies in <paramref name="mode"/>.</summary>
    public DetectorCalibrationMaps Calibration(DetectorMode mode) => _renderer.Maps(mode);

    public void Start()
    {
        if (_started)
        {
            throw new InvalidOperationException("the detector is already started");
        }
        _started = true;
        _server.Start();
        _renderThread.Start();
    }

    public void SetMode(DetectorMode mode) => Volatile.Write(ref _mode, (int)mode);

    /// <summary>A uniform attenuator in the beam with the table clear (calibration floods), or out again (the phantom).</summary>
    public bool Attenuator
    {
        get => _attenuator;
        set => _attenuator = value;
    }

    /// <summary>Switches the detector's faults at run time; the drop and late counters restart.</summary>
    public void SetFaults(DetectorFaultOptions faults)
    {
        faults.Validate();
        Volatile.Write(ref _faults, new FaultState(faults));
    }

    /// <summary>Starts a contrast bolus now: at the last pulse's time on the pulse clock.</summary>
    public void InjectContrast() => World.Bolus.Inject(Volatile.Read(ref _lastPulseTimestamp));

    public void OnPulse(in DeliveredPulse pulse)
    {
        Volatile.Write(ref _lastPulseTimestamp, pulse.TimestampMicroseconds);
        if (!_jobs.TryAdd(new RenderJob(pulse, null, 0)))
        {
            Interlocked.Increment(ref _pulsesOverrun);
        }
    }

    void IFrameLinkDetector.RequestDarkFrames(FrameLinkSession session, int count)
    {
        // The request thread may wait here; it is not the generator's pulse thread.
        try
        {
            _jobs.Add(new RenderJob(default, session, count), _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        _stop.Cancel();
        _jobs.CompleteAdding();
        if (_started)
        {
            _renderThread.Join(TimeSpan.FromSeconds(10));
            _server.Dispose();
        }
        _jobs.Dispose();
        _stop.Dispose();
    }

    private void RenderLoop()
    {
        try
        {
            foreach (var job in _jobs.GetConsumingEnumerable(_stop.Token))
            {
                if (job.DarkFor is { } session)
                {
                    RenderDarkFrames(session, job.DarkCount);
                }
                else
                {
                    RenderExposure(job.Pulse);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void RenderExposure(in DeliveredPulse pulse)
    {
        var frame = _pool.TryRent();
        if (frame is null)
        {
            Interlocked.Increment(ref _poolExhausted);
            _server.SkipSequence();
            return;
        }
        var mode = Mode;
        int side = mode.Side();
        var faults = Volatile.Read(ref _faults);
        _renderer.RenderExposure(pulse.Technique, pulse.TimestampMicroseconds, mode, pulse.PulseId, frame.Pixels(side, side), _attenuator);
        ApplyDeadLines(faults.Options, frame.Pixels(side, side), side);
        var (kv, ma, width) = FrameHeader.Encode(pulse.Technique);
        frame.Header = new FrameHeader(FrameLinkMessageType.Frame, 0, pulse.PulseId, pulse.TimestampMicroseconds,
            (ushort)side, (ushort)side, (ushort)BitsStored, kv, ma, width, (byte)pulse.Kind,
            (uint)Math.Clamp(Math.Round(pulse.AirKermaMicroGray * 1000), 0, uint.MaxValue), (uint)(side * side * sizeof(ushort)));
        long count = faults.NextExposure();
        if (faults.Options.DropEveryNth > 0 && count % faults.Options.DropEveryNth == 0)
        {
            Interlocked.Increment(ref _framesDroppedByFault);
            _server.SkipSequence();
            frame.Release();
            Interlocked.Increment(ref _framesRendered);
            return;
        }
        if (faults.Options.LateEveryNth > 0 && count % faults.Options.LateEveryNth == 0)
        {
            Interlocked.Increment(ref _framesLate);
            Thread.Sleep(faults.Options.LateByMilliseconds);
        }
        _server.Broadcast(frame);
        frame.Release();
        Interlocked.Increment(ref _framesRendered);
    }

    private void RenderDarkFrames(FrameLinkSession session, int count)
    {
        for (int i = 0; i < count && !session.Closed; i++)
        {
            var frame = RentWaiting();
            if (frame is null)
            {
                return;
            }
            var mode = Mode;
            int side = mode.Side();
            _renderer.RenderDark(mode, (1ul << 63) | ++_darkFrameIndex, frame.Pixels(side, side));
            ApplyDeadLines(Volatile.Read(ref _faults).Options, frame.Pixels(side, side), side);
            frame.Header = new FrameHeader(FrameLinkMessageType.DarkFrame, 0, 0, _clock.Elapsed.Ticks / 10,
                (ushort)side, (ushort)side, (ushort)BitsStored, 0, 0, 0, 0, 0, (uint)(side * side * sizeof(ushort)));
            session.SendDarkFrame(frame);
            frame.Release();
        }
    }

    /// <summary>Dark frames are asked for and must not be lost: wait for a free buffer.</summary>
    private FrameBuffer? RentWaiting()
    {
        var waited = Stopwatch.StartNew();
        while (!_stop.IsCancellationRequested && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_pool.TryRent() is { } frame)
            {
                return frame;
            }
            Thread.Sleep(1);
        }
        return null;
    }

    private static void ApplyDeadLines(DetectorFaultOptions faults, Span<ushort> pixels, int side)
    {
        if (faults.DeadRow is int row && row < side)
        {
            pixels.Slice(row * side, side).Clear();
        }
        if (faults.DeadColumn is int column && column < side)
        {
            for (int y = 0; y < side; y++)
            {
                pixels[y * side + column] = 0;
            }
        }
    }

    private readonly record struct RenderJob(DeliveredPulse Pulse, FrameLinkSession? DarkFor, int DarkCount);

    private sealed class FaultState(DetectorFaultOptions options)
    {
        private long _exposures;

        public DetectorFaultOptions Options { get; } = options;

        public long NextExposure() => Interlocked.Increment(ref _exposures);
    }
}
