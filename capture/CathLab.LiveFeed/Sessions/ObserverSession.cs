using CathLab.Contracts;
using System.Threading.Channels;
using CathLab.LiveFeed.Tiers;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Video;
using CathLab.Security.Access;
using CathLab.Video;

namespace CathLab.LiveFeed.Sessions;

/// <summary>One observer watching one exam. Frames reach it through a small bounded queue that keeps the
/// newest; the writer loop sends a frame only while few enough are unacknowledged, so the observer's link
/// sets the pace and a slow observer loses frames (and is told how many) without holding anyone up.
/// Every queued frame holds a reference to its pooled encoded image; the session releases it once the transport
/// has finished writing it, or when the frame is dropped, so no buffer is reused while this session still sends it.</summary>
public sealed class ObserverSession
{
    public const int QueueCapacity = 2;

    /// <summary>A video observer's queue: frames are never dropped from it (the rest of their group of pictures
    /// would not decode); when it is full the shared encoding's frame is refused and the observer waits for a key frame.</summary>
    public const int VideoQueueCapacity = 4;

    public const long KeyFrameRequestIntervalMicroseconds = 500_000;
    public const int MaxInFlightFrames = 4;
    public const int MaxInFlightVideoFrames = 8;
    public const long AckDeadlineMicroseconds = 5_000_000;
    private const double InFlightSeconds = 0.2;

    /// <summary>Once the exam has ended, the frames still queued for this observer get this long to go out (the link's
    /// pace still applies); what is left then is counted lost, and the exam's end is sent.</summary>
    private const long EndDrainMicroseconds = 2_000_000;

    private readonly object _gate = new();
    private readonly IFeedConditions _feed;
    private readonly Channel<OutgoingFrame> _frames;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly WriterWakeup _wakeup;
    private readonly List<(long Frame, long ReadyUs, long SentUs, int Bytes)> _inFlight = new(MaxInFlightFrames);
    private readonly AdaptationController _adaptation;
    private readonly Func<StreamVariant, double> _averageBytes; // made once: a method group converted per tick allocates
    private readonly CancellationTokenSource _stop = new();
    private int _signalled;
    private long _lastChosenUs;
    private int _probeLevel = NoProbe;
    private const int NoProbe = -1;
    private int _framesUntilNext;
    private long _offered;
    private long _sent;
    private long _lost;
    private long _skipped;
    private int _examEnded;
    private long _unknownAcks;
    private double _maxFps;
    private bool _levelChanged = true;
    private readonly ObserverVideoFeed? _video;
    private long _videoRefused;
    private long _lastKeyFrameRequestUs = long.MinValue / 2;
    private long _keyFrameRequests;

    internal ObserverSession(IFeedConditions feed, CallerIdentity caller, string examId, Tier bestTier, double maxFps, string transport, string? peer,
        VideoLadder? videoLadder = null)
    {
        _feed = feed;
        _averageBytes = feed.AverageBytes;
        Caller = caller;
        ExamId = examId;
        Transport = transport;
        Peer = peer;
        _maxFps = maxFps;
        Id = Guid.NewGuid().ToString("N")[..12];
        StartedAt = DateTimeOffset.UtcNow;
        _frames = videoLadder is null
            ? Channel.CreateBounded<OutgoingFrame>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                dropped =>
                {
                    CountLost(dropped);
                    dropped.Release();
                })
            : Channel.CreateBounded<OutgoingFrame>(new BoundedChannelOptions(VideoQueueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        _wakeup = new WriterWakeup(_wake);
        Events = new EventSubscription(examId, Wake);
        if (videoLadder is null)
        {
            _adaptation = new AdaptationController(StreamLevel.TopFor(bestTier), UnixClock.NowMicroseconds());
            return;
        }
        // Video levels: 0 is the ladder's largest rung; a new observer starts at the smallest, as JPEG observers do.
        int bottom = videoLadder.Count - 1;
        _adaptation = new AdaptationController(0, UnixClock.NowMicroseconds(), bottom, bottom);
        _video = new ObserverVideoFeed(videoLadder, this);
        _video.Follow(RungOf(_adaptation.Level));
    }

    /// <summary>True when this observer receives the shared VP8 encodings instead of JPEG tiers.</summary>
    public bool IsVideo => _video is not null;

    /// <summary>The video rung the observer is shown now (−1 for a JPEG observer, or before its first key frame).</summary>
    public int VideoRung => _video?.CurrentRung ?? -1;

    /// <summary>Video frames its queue refused, each followed by a wait for (and a request of) a key frame.</summary>
    public long VideoFramesRefused => Interlocked.Read(ref _videoRefused);

    public string Id { get; }

    public CallerIdentity Caller { get; }

    public string ExamId { get; }

    public string Transport { get; }

    public string? Peer { get; }

    public DateTimeOffset StartedAt { get; }

    public int Level => _adaptation.Level;

    /// <summary>Frames of its exam the encoder offered this observer (last-image holds not counted): each is sent,
    /// lost or skipped.</summary>
    public long FramesOffered => Interlocked.Read(ref _offered);

    public long FramesSent => Interlocked.Read(ref _sent);

    public long FramesLost => Interlocked.Read(ref _lost);

    /// <summary>Frames of the exam not sent by choice: the level's frame-rate divisor or the observer's cap.</summary>
    public long FramesSkipped => Interlocked.Read(ref _skipped);

    /// <summary>True once the session has sent the exam's end and stopped because of it.</summary>
    public bool EndedWithExam => Volatile.Read(ref _examEnded) != 0;

    public long UnknownAcks => Interlocked.Read(ref _unknownAcks);

    /// <summary>Frames waiting in this observer's queue.</summary>
    internal int QueuedFrames => _frames.Reader.Count;

    internal EventSubscription Events { get; }

    public CancellationToken Stopping => _stop.Token;

    /// <summary>Ends the session from outside (a technician's disconnect, the hub's shutdown).</summary>
    public void Stop() => _stop.Cancel();

    public void SetRateCap(double maxFps)
    {
        Volatile.Write(ref _maxFps, maxFps);
    }

    /// <summary>The level at which a last-image hold replayed to this joiner goes (<see cref="Frames.LastImageHoldReplay"/>):
    /// its ladder's, or for a video observer the smallest full-rate JPEG preview (no video is encoded between runs);
    /// null for another exam's frame.</summary>
    internal StreamLevel? HoldLevel(FrameSlot slot) =>
        slot.ExamId != ExamId ? null : _video is null ? StreamLevel.Ladder[_adaptation.Level] : StreamLevel.Ladder.Last(l => l.RateDivisor == 1);

    /// <summary>Encoder thread: the level at which this observer takes the frame, or null to skip it (another exam,
    /// or the level's frame-rate divisor or the observer's cap says not this one; a skip of this exam's frame is
    /// counted in <see cref="FramesSkipped"/>). The divisor counts frames, so a level that takes every frame takes
    /// every frame whatever the source-rate estimate says; only the cap is judged by time. A last-image hold is
    /// always taken and changes neither.</summary>
    internal StreamLevel? Choose(FrameSlot slot, double sourceIntervalUs)
    {
        LastChoiceWasProbe = false;
        if (slot.ExamId != ExamId || _video is not null) return null;
        var level = StreamLevel.Ladder[_adaptation.Level];
        if (slot.Info.LastImageHold) return level;
        Interlocked.Increment(ref _offered);
        if (_framesUntilNext > 0)
        {
            _framesUntilNext--;
            return Skipped();
        }
        double cap = Volatile.Read(ref _maxFps);
        long ready = slot.ReadyUnixMicroseconds;
        if (cap > 0 && _lastChosenUs != 0)
        {
            double capInterval = 1e6 / cap;
            if (ready - _lastChosenUs < capInterval - 0.5 * Math.Min(sourceIntervalUs, capInterval)) return Skipped();
        }
        _lastChosenUs = ready;
        _framesUntilNext = level.RateDivisor - 1;
        int probe = Interlocked.Exchange(ref _probeLevel, NoProbe);
        LastChoiceWasProbe = probe != NoProbe && probe < level.Index;
        return LastChoiceWasProbe ? StreamLevel.Ladder[probe] : level;
    }

    /// <summary>Encoder thread: the last <see cref="Choose"/> picked a probe, one frame at the next level up sent to
    /// measure the link; the observer's level is unchanged, and the frame says so (<c>LiveFrame.probe</c>).</summary>
    internal bool LastChoiceWasProbe { get; private set; }

    private StreamLevel? Skipped()
    {
        Interlocked.Increment(ref _skipped);
        return null;
    }

    private void CountLost(in OutgoingFrame frame) => CountLostBeforeSending(frame.LastImageHold);

    /// <summary>A frame this observer chose but that never reached its queue (the lossless lane passed over it).</summary>
    internal void CountLostBeforeSending(bool lastImageHold)
    {
        if (!lastImageHold) Interlocked.Increment(ref _lost);
    }

    /// <summary>Encoder thread: the variant this observer would step up to, whose size its adaptation needs to
    /// know; null at its best level.</summary>
    internal StreamVariant? StepUpVariant
    {
        get
        {
            int level = _adaptation.Level;
            return _video is null && level > _adaptation.TopLevel ? StreamLevel.Ladder[level - 1].Variant : null;
        }
    }

    /// <summary>Encoder thread: queue a frame; never waits (the oldest queued frame goes when full).</summary>
    internal void Offer(OutgoingFrame frame)
    {
        if (!_frames.Writer.TryWrite(frame))
        {
            frame.Release(); // the session has ended
            return;
        }
        Wake();
    }

    /// <summary>Encoder thread: queue a frame of the shared video encoding at <paramref name="rung"/>, taking the
    /// caller's reference; false (the reference stays with the caller) when the queue is full or the session ended.</summary>
    internal bool OfferVideo(EncodedVideoFrame frame, in VideoFrameStamp stamp, int rung)
    {
        var outgoing = new OutgoingFrame(stamp.FrameNumber, stamp.ReadyUnixMicroseconds, stamp.RunId, null, LevelOfRung(rung), stamp.SourceWidth, stamp.SourceHeight,
            stamp.LastImageHold, Video: frame, VideoSize: _video!.Ladder[rung].Option.Size);
        if (!_frames.Writer.TryWrite(outgoing))
        {
            Interlocked.Increment(ref _videoRefused);
            CountLostBeforeSending(stamp.LastImageHold);
            return false;
        }
        Wake();
        return true;
    }

    /// <summary>The observer's decoder lost the stream: its rung makes a key frame on its next picture. Answered at most
    /// once in <see cref="KeyFrameRequestIntervalMicroseconds"/> (a key frame costs every observer of the rung); a JPEG
    /// observer's request is ignored.</summary>
    public void RequestKeyFrame()
    {
        if (_video is null) return;
        long now = UnixClock.NowMicroseconds();
        long last = Interlocked.Read(ref _lastKeyFrameRequestUs);
        if (now - last < KeyFrameRequestIntervalMicroseconds || Interlocked.CompareExchange(ref _lastKeyFrameRequestUs, now, last) != last) return;
        Interlocked.Increment(ref _keyFrameRequests);
        _video.RequestKeyFrame();
    }

    /// <summary>Key-frame requests of the observer that were answered.</summary>
    public long KeyFrameRequests => Interlocked.Read(ref _keyFrameRequests);

    /// <summary>Video levels count down from the ladder's largest rung (level 0) as JPEG levels count down from the best tier.</summary>
    private int RungOf(int level) => _video!.Ladder.Count - 1 - level;

    private int LevelOfRung(int rung) => _video!.Ladder.Count - 1 - rung;

    public void OnAck(long frameNumber)
    {
        long now = UnixClock.NowMicroseconds();
        lock (_gate)
        {
            int i = _inFlight.Count - 1;
            while (i >= 0 && _inFlight[i].Frame != frameNumber) i--;
            if (i < 0)
            {
                _unknownAcks++;
                return;
            }
            var f = _inFlight[i];
            _inFlight.RemoveAt(i);
            if (_adaptation.OnDelivered(now, now - f.ReadyUs, now - f.SentUs, f.Bytes)) _levelChanged = true;
        }
        Wake();
    }

    /// <summary>Runs until the observer leaves, the transport fails or the session is stopped.</summary>
    public async Task RunWriterAsync(IObserverTransport transport, CancellationToken cancellation)
    {
        try
        {
            await WriteUntilStoppedAsync(transport, cancellation);
        }
        finally
        {
            _frames.Writer.TryComplete();
            _video?.Dispose();
            DropQueued();
        }
    }

    private void DropQueued()
    {
        while (_frames.Reader.TryRead(out var left))
        {
            CountLost(left);
            left.Release();
        }
    }

    private async Task WriteUntilStoppedAsync(IObserverTransport transport, CancellationToken cancellation)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _stop.Token);
        var ct = linked.Token;
        long nextNoticeUs = 0;
        ExamEvent? ended = null;
        long endedAtUs = 0;
        while (!ct.IsCancellationRequested)
        {
            Volatile.Write(ref _signalled, 0);
            while (ended is null && Events.Reader.TryRead(out var e))
            {
                if (e.KindCase == ExamEvent.KindOneofCase.ExamEnded)
                {
                    ended = e;
                    endedAtUs = UnixClock.NowMicroseconds();
                    break;
                }
                await transport.SendEventAsync(e, ct);
            }
            long now = UnixClock.NowMicroseconds();
            if (ended is not null && (_frames.Reader.Count == 0 || now - endedAtUs > EndDrainMicroseconds))
            {
                DropQueued();
                await transport.SendEventAsync(ended, ct);
                await transport.SendNoticeAsync(Notice(), ct);
                Volatile.Write(ref _examEnded, 1);
                return;
            }
            Housekeeping(now);
            if (TryTakeFrameToSend(now, out var frame))
            {
                try
                {
                    await transport.SendFrameAsync(frame, now, ct);
                }
                finally
                {
                    frame.Release(); // the transport has written (or given up on) the bytes
                }
                continue;
            }
            if (now >= nextNoticeUs || _levelChanged)
            {
                await transport.SendNoticeAsync(Notice(), ct);
                nextNoticeUs = now + 1_000_000;
            }
            try
            {
                await _wake.WaitAsync(200, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public SessionNotice Notice()
    {
        lock (_gate)
        {
            _levelChanged = false;
            if (_video is not null) return VideoNotice();
            var level = StreamLevel.Ladder[_adaptation.Level];
            double fps = _feed.SourceFps / level.RateDivisor;
            double cap = Volatile.Read(ref _maxFps);
            if (cap > 0) fps = Math.Min(fps, cap);
            return new SessionNotice
            {
                Level = (uint)level.Index,
                Tier = level.Variant.Tier,
                Width = (uint)(_feed.SourceDisplayWidth / level.Variant.DownscaleFactor),
                TargetFps = (float)fps,
                FramesSent = (ulong)FramesSent,
                FramesLost = (ulong)FramesLost,
                FramesLostBeforeEncoder = (ulong)_feed.DroppedBeforeEncoder,
                Reason = _adaptation.LastReason,
                FramesSkipped = (ulong)FramesSkipped,
                Encoding = level.Variant.Encoding,
            };
        }
    }

    private SessionNotice VideoNotice()
    {
        var option = _video!.Ladder[RungOf(_adaptation.Level)].Option;
        return new SessionNotice
        {
            Level = (uint)_adaptation.Level,
            Tier = Tier.Preview,
            Width = (uint)option.Size,
            TargetFps = (float)VideoFps(option),
            FramesSent = (ulong)FramesSent,
            FramesLost = (ulong)FramesLost,
            FramesLostBeforeEncoder = (ulong)_feed.DroppedBeforeEncoder,
            Reason = _adaptation.LastReason,
            Encoding = ImageEncoding.Vp8,
        };
    }

    /// <summary>A rung's rate as this observer gets it: its own, at most the source's (its cap only steers the ladder:
    /// skipping an inter frame would break the pictures after it).</summary>
    private double VideoFps(VideoEncodingOption option)
    {
        double source = _feed.SourceFps;
        return double.IsFinite(source) && source > 0 ? Math.Min(option.FramesPerSecond, source) : option.FramesPerSecond;
    }

    private bool TryTakeFrameToSend(long now, out OutgoingFrame frame)
    {
        frame = default;
        bool taken = false;
        lock (_gate)
        {
            if (!_frames.Reader.TryPeek(out var next)) return false;
            if (_inFlight.Count > 0)
            {
                if (_inFlight.Count >= (_video is null ? MaxInFlightFrames : MaxInFlightVideoFrames)) return false;
                long bytes = next.Length;
                foreach (var f in _inFlight) bytes += f.Bytes;
                if (bytes > InFlightBudget(next.Length)) return false;
            }
            // A JPEG observer is sent the newest frame and loses the older ones; a video observer gets them in order.
            while ((_video is null || !taken) && _frames.Reader.TryRead(out var f))
            {
                if (taken)
                {
                    CountLost(frame);
                    frame.Release();
                }
                frame = f;
                taken = true;
            }
            if (!taken) return false;
            _inFlight.Add((frame.FrameNumber, frame.ReadyUnixMicroseconds, now, frame.Length));
            if (!frame.LastImageHold) Interlocked.Increment(ref _sent);
            return true;
        }
    }

    /// <summary>Bytes that may be unacknowledged. A JPEG observer: the per-frame throughput times 0.2 s. A video observer,
    /// whose frames are small and all needed: the modelled bandwidth times (the link's fixed delay + 0.2 s), its
    /// bandwidth-delay product plus a little queue, since the per-frame throughput of a small frame is mostly the delay
    /// (through 50 ms each way that allowed about 2 frames per round trip, under 9 fps at 2 Mbit/s).</summary>
    private double InFlightBudget(int nextBytes)
    {
        if (_video is not null && _adaptation.Link.TryEstimate(nextBytes, out double delayUs, out double bandwidth))
            return bandwidth * (delayUs / 1e6 + InFlightSeconds);
        return _adaptation.ThroughputBytesPerSecond * InFlightSeconds;
    }

    private void Housekeeping(long now)
    {
        lock (_gate)
        {
            for (int i = _inFlight.Count - 1; i >= 0; i--)
            {
                if (now - _inFlight[i].SentUs <= AckDeadlineMicroseconds) continue;
                _inFlight.RemoveAt(i);
                Interlocked.Increment(ref _lost);
                if (_adaptation.OnLost(now)) _levelChanged = true;
            }
            if (_video is not null)
            {
                FollowVideoLadder(now);
                return;
            }
            if (_adaptation.Level > _adaptation.TopLevel && _adaptation.OnTick(now, _averageBytes, NextLevelFps())) _levelChanged = true;
            if (_adaptation.TakeProbeRequest()) Volatile.Write(ref _probeLevel, _adaptation.Level - 1);
        }
    }

    /// <summary>Under the gate: bounds the video ladder by what the display frame can make, steps up when the link
    /// carries the next rung (a CBR rung's frames are its bit rate over its frame rate), and moves the subscription
    /// to the level chosen (the switch itself happens at the new rung's key frame).</summary>
    private void FollowVideoLadder(long now)
    {
        var ladder = _video!.Ladder;
        int displayWidth = _feed.SourceDisplayWidth;
        if (displayWidth > 0 && LevelOfRung(ladder.LargestFor(displayWidth)) is int top && top != _adaptation.TopLevel)
        {
            _adaptation.SetTopLevel(top, now);
            _levelChanged = true;
        }
        if (_adaptation.Level > _adaptation.TopLevel)
        {
            var next = ladder[RungOf(_adaptation.Level - 1)].Option;
            double rate = VideoFps(next);
            double cap = Volatile.Read(ref _maxFps);
            if (_adaptation.OnTick(now, next.TargetKbps * 125.0 / rate, cap > 0 ? Math.Min(rate, cap) : rate)) _levelChanged = true;
            _adaptation.TakeProbeRequest(); // a video observer cannot be sent one frame of another rung
        }
        _video.Follow(RungOf(_adaptation.Level));
    }

    /// <summary>The rate the level above the current one would send at: the source's, its divisor, the observer's cap.</summary>
    private double NextLevelFps()
    {
        double fps = _feed.SourceFps / StreamLevel.Ladder[_adaptation.Level - 1].RateDivisor;
        double cap = Volatile.Read(ref _maxFps);
        return cap > 0 ? Math.Min(fps, cap) : fps;
    }

    /// <summary>Steps up the ladder so far (for tests and diagnostics).</summary>
    internal int StepsUp
    {
        get
        {
            lock (_gate) return _adaptation.StepsUp;
        }
    }

    /// <summary>Probe frames (one frame at the next level up) asked for so far.</summary>
    internal int Probes
    {
        get
        {
            lock (_gate) return _adaptation.Probes;
        }
    }

    /// <summary>For tests: puts the session at a ladder level regardless of its link.</summary>
    internal void ForceLevel(int level)
    {
        lock (_gate) _adaptation.Force(level);
    }

    internal void SetTopTier(Tier tier)
    {
        lock (_gate) _adaptation.SetTopLevel(StreamLevel.TopFor(tier), UnixClock.NowMicroseconds());
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0) ThreadPool.UnsafeQueueUserWorkItem(_wakeup, preferLocal: false);
    }

    /// <summary>Releasing a semaphore that a writer awaits with a timeout allocates (about 30 bytes); a reused work
    /// item moves that off the encoder thread, which wakes every session on every frame.</summary>
    private sealed class WriterWakeup(SemaphoreSlim wake) : IThreadPoolWorkItem
    {
        public void Execute() => wake.Release();
    }
}
