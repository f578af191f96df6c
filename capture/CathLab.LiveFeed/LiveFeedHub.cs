using System.Buffers;
using CathLab.LiveFeed.Tiers;
using CathLab.LiveFeed.Publishing;
using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Security;
using CathLab.LiveFeed.Sessions;

namespace CathLab.LiveFeed;

/// <summary>The live feed's input side and fan-out. Acquisition calls <see cref="PublishFrame"/>, which copies
/// the frame into a pooled slot and returns at once; one encoder thread encodes each variant that some
/// observer needs once per frame and hands the shared result to every observer's bounded queue.</summary>
public sealed class LiveFeedHub : IDisposable
{
    /// <summary>A variant that some observer may step up to, but nobody receives, is measured again after this many frames.</summary>
    private const int RemeasureEvery = 64;

    private readonly LiveFeedOptions _options;
    private readonly FrameStore _store;
    private readonly EncoderQueue _encoderQueue;
    private readonly EncodedImagePool[] _pools = StreamVariant.All.Select(v => new EncodedImagePool(v)).ToArray();
    private readonly Thread _encoderThread;
    private readonly object _sessionsGate = new();
    private readonly VariantSizes _sizes = new();
    private readonly VariantSizeProbe _probe;
    private readonly long[] _measuredAt = new long[StreamVariant.All.Count];
    private readonly long[] _encodes = new long[StreamVariant.All.Count];
    private readonly EncodedImage?[] _images = new EncodedImage?[StreamVariant.All.Count];
    private ObserverSession[] _sessions = [];
    private EventSubscription[] _eventSubscribers = [];
    private readonly ExamEvent?[] _currentState = new ExamEvent?[3];
    private string _examId = "";
    private string _runId = "";
    private static readonly TimeSpan EndExamDrain = TimeSpan.FromSeconds(1);
    private long _published;
    private long _taken;
    private long _droppedBeforeEncoder;
    private long _encoded;
    private long _encoderFailures;
    private long _encoderAllocatedBytes;
    private long _encoderFramesDone;
    private readonly SourceRateEstimate _sourceRate = new();
    private int _displayWidth;
    private long _encoderFrames;
    private (int Processed, int Display) _provisionedSize;
    private readonly WaitCallback _provision;

    public LiveFeedHub(LiveFeedOptions options)
    {
        options.Validate();
        _options = options;
        _store = new FrameStore(options.EncoderQueueDepth + 1, options.RecentFrames, options.MarkedFrames);
        _encoderQueue = new EncoderQueue(options.EncoderQueueDepth);
        _probe = new VariantSizeProbe(_store, _sizes);
        _provision = size =>
        {
            var (processed, display) = ((int, int))size!;
            _store.Provision(processed, display);
        };
        _encoderThread = new Thread(EncoderLoop) { IsBackground = true, Name = "live feed encoder" };
        _encoderThread.Start();
    }

    /// <summary>The exam whose frames are live now; empty when none.</summary>
    public string ExamId => Volatile.Read(ref _examId);

    public LiveFeedCounters Counters => new(Interlocked.Read(ref _published), Interlocked.Read(ref _droppedBeforeEncoder), Interlocked.Read(ref _encoded), Interlocked.Read(ref _encoderFailures));

    /// <summary>Managed bytes the encoder thread has allocated since it started (waiting, encoding and fan-out
    /// included): divided by <see cref="LiveFeedCounters.Encoded"/> over a steady window it is the per-frame cost.</summary>
    public long EncoderAllocatedBytes => Interlocked.Read(ref _encoderAllocatedBytes);

    /// <summary>Frames the encoder has finished with (encoded or failed, and retired); <see cref="EncoderAllocatedBytes"/>
    /// is up to date for each of them.</summary>
    internal long EncoderFramesDone => Interlocked.Read(ref _encoderFramesDone);

    /// <summary>Whether the encoder thread runs in Linux's SCHED_BATCH class (waking it does not preempt the publisher).</summary>
    internal bool EncoderThreadIsBatch { get; private set; }

    /// <summary>The acquisition frame rate as the live feed sees it (smoothed).</summary>
    public double SourceFps => 1e6 / _sourceRate.IntervalMicroseconds;

    internal int SourceDisplayWidth => Volatile.Read(ref _displayWidth);

    public IReadOnlyList<ObserverSession> Sessions => Volatile.Read(ref _sessions);

    internal FrameStore Store => _store;

    /// <summary>The pool of encoded images of a variant (for tests and diagnostics).</summary>
    internal EncodedImagePool PoolOf(StreamVariant variant) => _pools[variant.Index];

    /// <summary>Recent encoded size of a variant in bytes (0 before it was first encoded). A variant that some
    /// observer may step up to but nobody receives is measured by the size probe, off the encoder thread, on the
    /// first frame that needs it and every 64th frame after, so that the step up can be judged by the size of what
    /// the observer would receive.</summary>
    public double AverageBytes(StreamVariant variant) => _sizes.Average(variant);

    /// <summary>How many times the encoder thread has encoded a variant for observers (at most once per frame).</summary>
    public long EncodesOf(StreamVariant variant) => Interlocked.Read(ref _encodes[variant.Index]);

    /// <summary>Variant encodes the size probe has made (sizes of what observers may step up to).</summary>
    public long SizeProbes => _probe.Probes;

    /// <summary>Opens an exam: from now on published frames belong to it.</summary>
    public void BeginExam(string examId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(examId);
        Volatile.Write(ref _examId, examId);
        Array.Clear(_currentState);
    }

    /// <summary>Closes the exam: its observers get an <see cref="ExamEnded"/> event, after which their streams end. The
    /// frames already taken (the last-image hold among them) are encoded and offered first, waiting at most
    /// <see cref="EndExamDrain"/> for the encoder, so that the end does not overtake them.</summary>
    public void EndExam()
    {
        long taken = Interlocked.Read(ref _taken);
        SpinWait.SpinUntil(() => EncoderFramesDone >= taken, EndExamDrain);
        PublishEvent(new ExamEvent { ExamEnded = new ExamEnded() }, -1);
        Volatile.Write(ref _examId, "");
    }

    /// <summary>Hands one processed frame to the live feed. Copies both images into a pooled slot and returns
    /// without waiting; when the encoder is behind the frame is dropped for the live feed (and counted).</summary>
    /// <returns>False when the frame was dropped.</returns>
    public bool PublishFrame(in LiveFrameInfo info, ReadOnlySpan<ushort> processed16, ReadOnlySpan<byte> display8)
    {
        if (processed16.Length != info.Width * info.Height)
            throw new ArgumentException($"the processed frame holds {processed16.Length} pixels, not {info.Width}×{info.Height}", nameof(processed16));
        if (display8.Length != info.DisplayWidth * info.DisplayHeight)
            throw new ArgumentException($"the display frame holds {display8.Length} pixels, not {info.DisplayWidth}×{info.DisplayHeight}", nameof(display8));
        Interlocked.Increment(ref _published);
        string exam = Volatile.Read(ref _examId);
        if (exam.Length == 0) return Dropped();
        var slot = _store.TryRent();
        if (slot is null) return Dropped();
        slot.Fill(info, processed16, display8, UnixClock.NowMicroseconds(), exam, Volatile.Read(ref _runId));
        if (_encoderQueue.TryAdd(slot))
        {
            Interlocked.Increment(ref _taken);
            return true;
        }
        _store.Release(slot);
        return Dropped();
    }

    public void PublishRunStarted(string runId, string kind, double frameRate)
    {
        Volatile.Write(ref _runId, runId);
        PublishEvent(new ExamEvent { RunStarted = new RunStarted { RunId = runId, Kind = kind, FrameRate = (float)frameRate } }, 0);
    }

    public void PublishRunEnded(string runId, int frames)
    {
        PublishEvent(new ExamEvent { RunEnded = new RunEnded { RunId = runId, Frames = (uint)frames } }, 0);
    }

    public void PublishTechnique(double kv, double ma, double pulseWidthMs, double pulseRate) =>
        PublishEvent(new ExamEvent { Technique = new TechniqueChanged { Kv = (float)kv, Ma = (float)ma, PulseWidthMs = (float)pulseWidthMs, PulseRate = (float)pulseRate } }, 1);

    public void PublishDose(double referenceAirKermaMilligray, double doseAreaProductGycm2, double fluoroTimeSeconds) =>
        PublishEvent(new ExamEvent { Dose = new DoseUpdate { ReferenceAirKermaMgy = referenceAirKermaMilligray, DoseAreaProductGycm2 = doseAreaProductGycm2, FluoroTimeS = fluoroTimeSeconds } }, 2);

    /// <summary>Registers an observer; it first receives the exam's current run, technique and dose.</summary>
    internal ObserverSession Join(CallerIdentity caller, string examId, Tier bestTier, double maxFps, string transport, string? peer)
    {
        var session = new ObserverSession(this, caller, examId, bestTier, maxFps, transport, peer);
        Subscribe(session.Events);
        lock (_sessionsGate) _sessions = [.. _sessions, session];
        return session;
    }

    internal void Leave(ObserverSession session)
    {
        Unsubscribe(session.Events);
        lock (_sessionsGate) _sessions = _sessions.Where(s => s != session).ToArray();
    }

    internal void Subscribe(EventSubscription subscription)
    {
        lock (_sessionsGate)
        {
            _eventSubscribers = [.. _eventSubscribers, subscription];
            if (subscription.ExamId == ExamId)
            {
                foreach (var e in _currentState)
                {
                    if (e is not null) subscription.Offer(e);
                }
            }
        }
    }

    internal void Unsubscribe(EventSubscription subscription)
    {
        lock (_sessionsGate) _eventSubscribers = _eventSubscribers.Where(s => s != subscription).ToArray();
    }

    /// <summary>Encodes one retained frame at full lossless quality, or returns null when it is no longer kept.</summary>
    internal (byte[] Png, LiveFrameInfo Info)? EncodeLossless(string examId, long frameNumber)
    {
        var slot = _store.Acquire(examId, frameNumber);
        if (slot is null) return null;
        try
        {
            return (TierEncoder.EncodeLossless(slot.Processed, slot.Info.Width, slot.Info.Height), slot.Info);
        }
        finally
        {
            _store.Release(slot);
        }
    }

    internal bool Mark(string examId, long frameNumber) => _store.Mark(examId, frameNumber);

    private void PublishEvent(ExamEvent examEvent, int stateIndex)
    {
        string exam = ExamId;
        if (exam.Length == 0) return;
        examEvent.ExamId = exam;
        examEvent.AtUnixUs = UnixClock.NowMicroseconds();
        lock (_sessionsGate)
        {
            if (stateIndex >= 0) _currentState[stateIndex] = examEvent;
            if (examEvent.RunEnded is not null) _currentState[0] = null;
        }
        foreach (var s in Volatile.Read(ref _eventSubscribers)) s.Offer(examEvent);
    }

    private bool Dropped()
    {
        Interlocked.Increment(ref _droppedBeforeEncoder);
        return false;
    }

    private void EncoderLoop()
    {
        EncoderThreadIsBatch = BatchScheduling.ApplyToCurrentThread();
        using var encoder = new TierEncoder(_pools);
        long allocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
        while (_encoderQueue.Take() is { } slot)
        {
            try
            {
                EncodeAndFanOut(encoder, slot);
            }
            catch (Exception e) when (e is OpenCvSharp.OpenCVException or OpenCvSharp.OpenCvSharpException or ArgumentException)
            {
                Interlocked.Increment(ref _encoderFailures);
            }
            _store.Retire(slot);
            Interlocked.Exchange(ref _encoderAllocatedBytes, GC.GetAllocatedBytesForCurrentThread() - allocatedAtStart);
            Interlocked.Increment(ref _encoderFramesDone);
        }
        while (_encoderQueue.TryTakeLeft() is { } left) _store.Release(left);
    }

    private void EncodeAndFanOut(TierEncoder encoder, FrameSlot slot)
    {
        long ready = slot.ReadyUnixMicroseconds;
        _sourceRate.Observe(ready, slot.RunId, slot.Info.LastImageHold);
        Volatile.Write(ref _displayWidth, slot.Info.DisplayWidth);
        _encoderFrames++;
        ProvisionSlotsFor(slot);

        var sessions = Volatile.Read(ref _sessions);
        var chosen = ArrayPool<StreamLevel?>.Shared.Rent(Math.Max(sessions.Length, 1));
        try
        {
            for (int i = 0; i < sessions.Length; i++)
            {
                var level = sessions[i].Choose(slot, _sourceRate.IntervalMicroseconds);
                chosen[i] = level;
                if (level is not null) EnsureEncoded(encoder, slot, level.Variant);
            }
            for (int i = 0; i < sessions.Length; i++)
            {
                if (chosen[i] is not { } level) continue;
                var image = _images[level.Variant.Index]!;
                image.Retain(); // the session's reference, released when it has sent or dropped the frame
                sessions[i].Offer(new OutgoingFrame(slot.Info.FrameNumber, ready, slot.RunId, image, level.Index, slot.Info.Width, slot.Info.Height, slot.Info.LastImageHold));
            }
            Interlocked.Increment(ref _encoded);
            RequestSizeProbe(sessions, slot);
        }
        finally
        {
            Array.Clear(chosen, 0, sessions.Length);
            ArrayPool<StreamLevel?>.Shared.Return(chosen);
            ReleaseImages();
        }
    }

    /// <summary>Drops the encoder's own reference to this frame's images; the sessions keep theirs.</summary>
    private void ReleaseImages()
    {
        for (int v = 0; v < _images.Length; v++)
        {
            _images[v]?.Release();
            _images[v] = null;
        }
    }

    private void EnsureEncoded(TierEncoder encoder, FrameSlot slot, StreamVariant variant)
    {
        if (_images[variant.Index] is not null) return;
        var image = encoder.Encode(slot, variant);
        Interlocked.Increment(ref _encodes[variant.Index]);
        _images[variant.Index] = image;
        _sizes.Observe(variant, image.Length);
        _measuredAt[variant.Index] = _encoderFrames;
    }

    /// <summary>After the frame went out: asks the probe to measure the variants that sessions may step up to and
    /// that were not encoded for this frame, when unknown or not measured for a while.</summary>
    private void RequestSizeProbe(ObserverSession[] sessions, FrameSlot slot)
    {
        int mask = 0;
        foreach (var s in sessions)
        {
            if (s.StepUpVariant is not { } v || _images[v.Index] is not null) continue;
            if (_sizes.Average(v) == 0 || _encoderFrames - _measuredAt[v.Index] >= RemeasureEvery) mask |= 1 << v.Index;
        }
        if (!_probe.TryRequest(slot, mask)) return;
        foreach (var v in StreamVariant.All)
        {
            if ((mask & (1 << v.Index)) != 0) _measuredAt[v.Index] = _encoderFrames;
        }
    }

    /// <summary>On the first frame of a new size, has the free slots' arrays made and their pages mapped on the
    /// thread pool, so that <see cref="PublishFrame"/> only copies (only the slots it takes meanwhile are made by it).</summary>
    private void ProvisionSlotsFor(FrameSlot slot)
    {
        var size = (slot.Processed.Length, slot.Display.Length);
        if (size == _provisionedSize) return;
        _provisionedSize = size;
        ThreadPool.UnsafeQueueUserWorkItem(_provision, size);
    }

    public void Dispose()
    {
        _encoderQueue.Complete();
        _encoderThread.Join(TimeSpan.FromSeconds(5));
        _probe.Dispose();
        foreach (var s in Volatile.Read(ref _sessions)) s.Stop();
    }
}
