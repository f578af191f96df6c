using System.Diagnostics;
using System.Threading.Channels;
using CathLab.Acquisition.Distribution;
using CathLab.Acquisition.Fluoro;
using CathLab.Acquisition.Frames;
using CathLab.Acquisition.Protocols;
using CathLab.Acquisition.Sources;
using CathLab.Processing.Calibration;
using CathLab.Processing.Display;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CathLab.Acquisition.Imaging;

/// <summary>The processing consumer: takes frames from its own drop-and-count queue on the fan-out, on a dedicated
/// thread, runs the <see cref="FramePipeline"/> on each into a pre-allocated buffer, hands the result to the sink and
/// keeps the last image for last-image hold. Run kinds switch without a pause: <see cref="BeginRun"/> takes effect
/// at the first frame received after the call. Steady state allocates nothing per frame.</summary>
public sealed class ProcessingStage : IDisposable
{
    private const int LogEvery = 100;
    private readonly FrameFanout _fanout;
    private readonly FramePipeline _pipeline;
    private readonly RunProcessingProfiles _profiles;
    private readonly IProcessedFrameSink _sink;
    private readonly FluoroLoopStore? _loop;
    private readonly ILogger _logger;
    private readonly ProcessingStageOptions _options;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _frameReady = new(false);
    private readonly Action _wake;
    private readonly byte[][] _outputs;
    private readonly Lock _holdGate = new();
    private FrameQueue? _queue;
    private RunStart? _pendingRun;
    private ProcessingParameters? _pendingParameters;
    private CalibrationData? _pendingCalibration;
    private CalibrationData _calibration;
    private RunKind _run = RunKind.Fluoro;
    private int _lastOutput = 1;
    private Frame? _held;
    private FrameInfo _heldInfo;
    private RunKind _heldRun;
    private DisplayLayout _heldLayout;
    private long _processed;
    private long _rejected;
    private long _failed;
    private long _sinkFailures;
    private long _runs;
    private long _framesThisRun;
    private long _allocated;
    private int _disposed;

    public ProcessingStage(FrameFanout fanout, CalibrationData calibration, RunProcessingProfiles profiles, IProcessedFrameSink sink,
        ProcessingStageOptions? options = null, FluoroLoopStore? fluoroLoop = null, ILogger<ProcessingStage>? logger = null)
    {
        _options = options ?? new ProcessingStageOptions();
        _options.Validate();
        _fanout = fanout;
        _profiles = profiles;
        _sink = sink;
        _loop = fluoroLoop;
        _logger = logger ?? NullLogger<ProcessingStage>.Instance;
        _calibration = calibration;
        _pipeline = new FramePipeline(calibration, profiles.For(RunKind.Fluoro, 0), _options.Pipeline);
        // Validated here so that a bad profile fails at start, not at the first run of its kind.
        profiles.Cine.Validate(_pipeline.Geometry);
        profiles.Dsa.Validate(_pipeline.Geometry);
        // The largest layout: a 16-bit LUT frame, or an 8-bit frame and its downscale.
        int bytes = _pipeline.Geometry.PixelCount * 2;
        _outputs = [new byte[bytes], new byte[bytes]];
        _wake = _frameReady.Set;
        _thread = new Thread(Loop) { IsBackground = true, Name = "processing stage", Priority = ThreadPriority.AboveNormal };
    }

    /// <summary>The consumer's name on the fan-out.</summary>
    public string Name => _options.ConsumerName;

    /// <summary>The pipeline's backend, e.g. "CPU, 2 thread(s), ...".</summary>
    public string Backend => _pipeline.Backend;

    /// <summary>The frame size and bits the stage is calibrated for; frames of another size are rejected.</summary>
    public FrameGeometry Geometry => _pipeline.Geometry;

    /// <summary>The calibration in force, or about to be at the next frame.</summary>
    public CalibrationData Calibration => Volatile.Read(ref _calibration);

    /// <summary>The kind of run the last frame was processed for.</summary>
    public RunKind CurrentRun => _run;

    public long Processed => Interlocked.Read(ref _processed);

    /// <summary>Frames the queue dropped because processing was behind.</summary>
    public long Dropped => _queue?.Dropped ?? 0;

    /// <summary>Frames whose size is not the calibration's.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Frames the pipeline failed on (logged).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Times the sink threw (logged); the stage goes on.</summary>
    public long SinkFailures => Interlocked.Read(ref _sinkFailures);

    /// <summary>Runs begun on the stage thread so far.</summary>
    public long RunsStarted => Interlocked.Read(ref _runs);

    public long FramesThisRun => Interlocked.Read(ref _framesThisRun);

    /// <summary>From a frame's arrival at the station (<see cref="FrameInfo.ReceivedTimestamp"/>, or when the stage
    /// took it from its queue when that is unknown) to its processed output being ready.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Bytes the stage thread has allocated, as of the last frame (allocation tests and diagnostics).</summary>
    public long StageThreadAllocatedBytes => Interlocked.Read(ref _allocated);

    public bool HasLastImage
    {
        get { lock (_holdGate) return _held is not null; }
    }

    /// <summary>Subscribes to the fan-out and starts the stage's thread.</summary>
    public void Start()
    {
        if (_queue is not null) throw new InvalidOperationException("the processing stage is already started");
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _queue = _fanout.Subscribe(_options.ConsumerName, _options.QueueCapacity, ConsumerPolicy.DropAndCount);
        _queue.Signal = _wake;
        _thread.Start();
    }

    /// <summary>Processes the frames received from now on as a run of <paramref name="kind"/> (a DSA run takes its
    /// first <paramref name="maskFrames"/> frames as the mask); frames still queued from before finish as they began.
    /// Parameters are checked here, on the caller's thread.</summary>
    public void BeginRun(RunKind kind, int maskFrames = 0)
    {
        var parameters = _profiles.For(kind, maskFrames);
        parameters.Validate(_pipeline.Geometry);
        Volatile.Write(ref _pendingRun, new RunStart(kind, parameters, Stopwatch.GetTimestamp()));
    }

    /// <summary>Changes the parameters of the current run (window and level, filters) from the next frame.
    /// The mode stays the run's.</summary>
    public void UpdateParameters(ProcessingParameters parameters)
    {
        parameters.Validate(_pipeline.Geometry);
        Volatile.Write(ref _pendingParameters, parameters);
    }

    /// <summary>Puts a new calibration in force from the next frame.</summary>
    public void SetCalibration(CalibrationData calibration)
    {
        if (calibration.Geometry != _pipeline.Geometry)
            throw new ArgumentException($"calibration is for {calibration.Geometry}, the processing stage for {_pipeline.Geometry}", nameof(calibration));
        Volatile.Write(ref _calibration, calibration);
        Volatile.Write(ref _pendingCalibration, calibration);
    }

    /// <summary>Acquires <paramref name="frames"/> dark frames from <paramref name="source"/>, builds the offset map
    /// from them (keeping the gain and defect maps in force) and puts it in force. Call it between runs.</summary>
    public async Task<CalibrationData> RefreshOffsetAsync(IFrameSource source, int frames, CancellationToken cancellationToken)
    {
        var calibration = await DarkFrameAverager.AcquireAsync(source, Calibration, frames, cancellationToken);
        SetCalibration(calibration);
        _logger.LogInformation("offset map refreshed from {Frames} dark frames", frames);
        return calibration;
    }

    /// <summary>Sends the last processed image again (last-image hold after the pedal's release), to
    /// <paramref name="sink"/> or the stage's own sink, marked as held.</summary>
    /// <returns>False when no frame was processed yet.</returns>
    public bool ResendLastImage(IProcessedFrameSink? sink = null)
    {
        lock (_holdGate)
        {
            if (_held is null) return false;
            var output = _outputs[_lastOutput];
            (sink ?? _sink).OnProcessedFrame(new ProcessedFrame(_heldInfo, _heldRun, _heldLayout, _held.Pixels, _heldLayout.Display8(output), _heldLayout.Reduced(output), held: true));
            return true;
        }
    }

    private void Loop()
    {
        var reader = _queue!.Reader;
        while (TryTake(reader, out var frame))
        {
            try
            {
                Handle(frame);
            }
            catch (Exception e)
            {
                long failed = Interlocked.Increment(ref _failed);
                if (failed % LogEvery == 1) _logger.LogError(e, "processing failed on frame {Sequence} ({Failed} so far)", frame.Info.Sequence, failed);
            }
            finally
            {
                frame.Release();
            }
            Interlocked.Exchange(ref _allocated, GC.GetAllocatedBytesForCurrentThread());
        }
    }

    /// <summary>Blocks the stage thread until a frame is queued, without allocating: the queue signals an event
    /// after each frame. False once the queue is completed (unsubscribed) and empty.</summary>
    private bool TryTake(ChannelReader<Frame> reader, out Frame frame)
    {
        while (true)
        {
            // Reset before looking, so that a frame queued after the look sets the event again.
            _frameReady.Reset();
            if (reader.TryRead(out frame!)) return true;
            if (reader.Completion.IsCompleted) return false;
            _frameReady.Wait();
        }
    }

    private void Handle(Frame frame)
    {
        long taken = Stopwatch.GetTimestamp();
        var info = frame.Info;
        ApplyPending(info);
        var geometry = _pipeline.Geometry;
        if (info.Width != geometry.Width || info.Height != geometry.Height)
        {
            long rejected = Interlocked.Increment(ref _rejected);
            if (rejected % LogEvery == 1)
                _logger.LogError("frame {Sequence} is {Width}×{Height} but processing is calibrated for {CalWidth}×{CalHeight}; not processed ({Rejected} so far)",
                    info.Sequence, info.Width, info.Height, geometry.Width, geometry.Height, rejected);
            return;
        }

        int write = 1 - _lastOutput;
        var output = _outputs[write];
        var layout = _pipeline.Layout;
        _pipeline.Process(frame.Pixels, output);
        long arrived = info.ReceivedTimestamp != 0 ? info.ReceivedTimestamp : taken;
        Latency.Record((long)Stopwatch.GetElapsedTime(arrived).TotalMicroseconds);
        Interlocked.Increment(ref _framesThisRun);

        Frame? previous;
        lock (_holdGate)
        {
            frame.Retain();
            previous = _held;
            _held = frame;
            _heldInfo = info;
            _heldRun = _run;
            _heldLayout = layout;
            _lastOutput = write;
            try
            {
                _sink.OnProcessedFrame(new ProcessedFrame(info, _run, layout, frame.Pixels, layout.Display8(output), layout.Reduced(output), held: false));
            }
            catch (Exception e)
            {
                long failures = Interlocked.Increment(ref _sinkFailures);
                if (failures % LogEvery == 1) _logger.LogError(e, "the processed-frame sink failed on frame {Sequence} ({Failures} so far)", info.Sequence, failures);
            }
        }
        previous?.Release();
        if (_run == RunKind.Fluoro) _loop?.Add(info, frame.Pixels);
        // Counted last, so that a reader who sees the count also sees the frame delivered and looped.
        Interlocked.Increment(ref _processed);
    }

    private void ApplyPending(in FrameInfo info)
    {
        if (Volatile.Read(ref _pendingCalibration) is not null && Interlocked.Exchange(ref _pendingCalibration, null) is { } calibration)
            _pipeline.SetCalibration(calibration);
        if (Volatile.Read(ref _pendingParameters) is not null && Interlocked.Exchange(ref _pendingParameters, null) is { } parameters)
        {
            var current = _pipeline.Parameters;
            _pipeline.Update(parameters with
            {
                Mode = current.Mode,
                Subtraction = parameters.Subtraction with { MaskFirst = current.Subtraction.MaskFirst, MaskLast = current.Subtraction.MaskLast },
            });
        }
        var run = Volatile.Read(ref _pendingRun);
        if (run is null || (info.ReceivedTimestamp != 0 && info.ReceivedTimestamp < run.From)) return;
        if (Interlocked.CompareExchange(ref _pendingRun, null, run) != run) return;
        _pipeline.Update(run.Parameters);
        _pipeline.BeginRun();
        _run = run.Kind;
        Interlocked.Exchange(ref _framesThisRun, 0);
        Interlocked.Increment(ref _runs);
        if (run.Kind == RunKind.Fluoro) _loop?.Clear();
    }

    /// <summary>Unsubscribes from the fan-out (its queued frames are released), stops the thread and lets go of the
    /// last image.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_queue is not null)
        {
            _fanout.Unsubscribe(_queue);
            _frameReady.Set(); // the queue is drained and completed now
            _thread.Join();
        }
        lock (_holdGate)
        {
            _held?.Release();
            _held = null;
        }
        _pipeline.Dispose();
        _frameReady.Dispose();
    }

    private sealed record RunStart(RunKind Kind, ProcessingParameters Parameters, long From);
}

public sealed record ProcessingStageOptions
{
    public string ConsumerName { get; init; } = "processing";

    /// <summary>Frames that may wait for processing; beyond that they are dropped for processing and counted.</summary>
    public int QueueCapacity { get; init; } = 4;

    public PipelineOptions Pipeline { get; init; } = new();

    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ConsumerName);
        if (QueueCapacity < 1 || QueueCapacity > 256) throw new ArgumentOutOfRangeException(nameof(QueueCapacity), QueueCapacity, "the processing queue holds 1 to 256 frames");
    }
}
