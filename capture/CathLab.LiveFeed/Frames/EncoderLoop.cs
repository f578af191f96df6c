using System.Buffers;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Sessions;
using CathLab.LiveFeed.Tiers;
using CathLab.LiveFeed.Video;
using CathLab.Video;

namespace CathLab.LiveFeed.Frames;

/// <summary>The encoder thread: takes each queued frame, asks every session at which level it takes it, encodes each
/// lossy variant needed once and hands the same image to every session that chose it. The lossless tier goes to its
/// own lane, the sizes of variants nobody receives to the size probe, so neither holds up the frame. Then the display
/// frame is offered to the shared video encodings (<see cref="VideoLadder"/>); only those with subscribers encode it.</summary>
internal sealed class EncoderLoop : IDisposable
{
    private readonly FrameStore _store;
    private readonly EncoderQueue _queue;
    private readonly SessionRegistry _sessions;
    private readonly VideoLadder _video;
    private readonly EncodedImagePool[] _pools = StreamVariant.All.Select(v => new EncodedImagePool(v)).ToArray();
    private readonly VariantSizes _sizes = new();
    private readonly VariantSizeProbe _probe;
    private readonly LosslessLane _lossless;
    private readonly List<ObserverSession> _losslessChosen = [];
    private readonly long[] _encodes = new long[StreamVariant.All.Count];
    private readonly EncodedImage?[] _images = new EncodedImage?[StreamVariant.All.Count];
    private readonly SourceRateEstimate _sourceRate = new();
    private readonly Thread _thread;
    private readonly WaitCallback _provision;
    private (int Processed, int Display) _provisionedSize;
    private int _displayWidth;
    private long _frames;
    private long _encoded;
    private long _failures;
    private long _allocatedBytes;
    private long _framesDone;

    public EncoderLoop(FrameStore store, EncoderQueue queue, SessionRegistry sessions, VideoLadder video)
    {
        _video = video;
        _store = store;
        _queue = queue;
        _sessions = sessions;
        _probe = new VariantSizeProbe(store, _sizes);
        _lossless = new LosslessLane(store, _sizes, _pools);
        _provision = size =>
        {
            var (processed, display) = ((int, int))size!;
            _store.Provision(processed, display);
        };
        _thread = new Thread(Run) { IsBackground = true, Name = "live feed encoder" };
        _thread.Start();
    }

    public long Encoded => Interlocked.Read(ref _encoded);

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Managed bytes this thread has allocated since it started (waiting, encoding and fan-out included).</summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    /// <summary>Frames finished with (encoded or failed, and retired); <see cref="AllocatedBytes"/> is up to date for each.</summary>
    public long FramesDone => Interlocked.Read(ref _framesDone);

    /// <summary>Whether the thread runs in Linux's SCHED_BATCH class (waking it does not preempt the publisher).</summary>
    public bool IsBatch { get; private set; }

    public double SourceFps => 1e6 / _sourceRate.IntervalMicroseconds;

    public int SourceDisplayWidth => Volatile.Read(ref _displayWidth);

    public double AverageBytes(StreamVariant variant) => _sizes.Average(variant);

    /// <summary>Encodes of a variant for observers (at most once per frame; the lossless ones by its lane).</summary>
    public long EncodesOf(StreamVariant variant) =>
        variant.Tier == Tier.Lossless ? _lossless.Encodes : Interlocked.Read(ref _encodes[variant.Index]);

    public long SizeProbes => _probe.Probes;

    public bool LosslessIdle => _lossless.Idle;

    public EncodedImagePool PoolOf(StreamVariant variant) => _pools[variant.Index];

    /// <summary>Waits until the frames taken so far are encoded and offered, the lossless ones included.</summary>
    public void WaitUntilDone(long taken, TimeSpan limit) =>
        SpinWait.SpinUntil(() => FramesDone >= taken && _lossless.Idle, limit);

    private void Run()
    {
        IsBatch = BatchScheduling.ApplyToCurrentThread();
        using var encoder = new TierEncoder(_pools);
        long allocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
        while (_queue.Take() is { } slot)
        {
            try
            {
                EncodeAndFanOut(encoder, slot);
            }
            catch (Exception e) when (e is OpenCvSharp.OpenCVException or OpenCvSharp.OpenCvSharpException or ArgumentException)
            {
                Interlocked.Increment(ref _failures);
            }
            try
            {
                OfferToVideo(slot);
            }
            catch (Exception e) when (e is VideoCodecException or ArgumentException)
            {
                Interlocked.Increment(ref _failures);
            }
            _store.Retire(slot);
            Interlocked.Exchange(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread() - allocatedAtStart);
            Interlocked.Increment(ref _framesDone);
        }
        while (_queue.TryTakeLeft() is { } left) _store.Release(left);
    }

    private void EncodeAndFanOut(TierEncoder encoder, FrameSlot slot)
    {
        long ready = slot.ReadyUnixMicroseconds;
        _sourceRate.Observe(ready, slot.RunId, slot.Info.LastImageHold);
        Volatile.Write(ref _displayWidth, slot.Info.DisplayWidth);
        _frames++;
        ProvisionSlotsFor(slot);

        var sessions = _sessions.Snapshot;
        var chosen = ArrayPool<StreamLevel?>.Shared.Rent(Math.Max(sessions.Length, 1));
        int encodedMask = 0;
        try
        {
            for (int i = 0; i < sessions.Length; i++)
            {
                var level = sessions[i].Choose(slot, _sourceRate.IntervalMicroseconds);
                chosen[i] = level;
                if (level is null) continue;
                if (level.Variant.Tier == Tier.Lossless) _losslessChosen.Add(sessions[i]);
                else EnsureEncoded(encoder, slot, level.Variant);
            }
            for (int i = 0; i < sessions.Length; i++)
            {
                if (chosen[i] is not { } level || level.Variant.Tier == Tier.Lossless) continue;
                var image = _images[level.Variant.Index]!;
                image.Retain(); // the session's reference, released when it has sent or dropped the frame
                sessions[i].Offer(new OutgoingFrame(slot.Info.FrameNumber, ready, slot.RunId, image, level.Index, slot.Info.Width, slot.Info.Height, slot.Info.LastImageHold,
                    sessions[i].LastChoiceWasProbe));
            }
            if (_losslessChosen.Count > 0)
            {
                _lossless.Offer(slot, _losslessChosen);
                encodedMask |= 1 << StreamLevel.Ladder[0].Variant.Index;
            }
            Interlocked.Increment(ref _encoded);
            for (int v = 0; v < _images.Length; v++)
            {
                if (_images[v] is not null) encodedMask |= 1 << v;
            }
            _probe.RequestIfDue(sessions, slot, encodedMask, _frames);
            if (Tap is { } tap) TapEncoded(tap, encoder, slot);
        }
        finally
        {
            _losslessChosen.Clear();
            Array.Clear(chosen, 0, sessions.Length);
            ArrayPool<StreamLevel?>.Shared.Return(chosen);
            ReleaseImages();
        }
    }

    /// <summary>The broker's publisher, when one is configured: given every lossy variant of every frame.</summary>
    public Broker.IEncodedFrameTap? Tap { get; set; }

    private void TapEncoded(Broker.IEncodedFrameTap tap, TierEncoder encoder, FrameSlot slot)
    {
        foreach (var variant in StreamVariant.All)
        {
            if (variant.Tier != Tier.Lossless) EnsureEncoded(encoder, slot, variant);
        }
        tap.OnEncoded(slot, _images);
    }

    private void OfferToVideo(FrameSlot slot)
    {
        var info = slot.Info;
        _video.Offer(slot.Display, info.DisplayWidth, info.DisplayHeight,
            new VideoFrameStamp(slot.ExamId, slot.RunId, info.FrameNumber, slot.ReadyUnixMicroseconds, info.Width, info.Height, info.LastImageHold));
    }

    /// <summary>Drops this thread's own reference to the frame's images; the sessions keep theirs.</summary>
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
    }

    /// <summary>On the first frame of a new size, has the free slots' arrays made and their pages mapped on the
    /// thread pool, so that publishing only copies (only the slots it takes meanwhile are made by it).</summary>
    private void ProvisionSlotsFor(FrameSlot slot)
    {
        var size = (slot.Processed.Length, slot.Display.Length);
        if (size == _provisionedSize) return;
        _provisionedSize = size;
        ThreadPool.UnsafeQueueUserWorkItem(_provision, size);
    }

    public void Dispose()
    {
        _queue.Complete();
        _thread.Join(TimeSpan.FromSeconds(5));
        _probe.Dispose();
        _lossless.Dispose();
    }
}
