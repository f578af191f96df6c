using CathLab.Contracts;
using CathLab.Dicom.IO;
using CathLab.Dicom.Iods.Xa;
using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Sessions;
using CathLab.LiveFeed.Tiers;

namespace CathLab.LiveFeed.Review;

/// <summary>
/// Plays one observer's review: reads the asked run's frames one at a time from its object, at the acquired or the asked
/// rate, and hands each to the observer's <see cref="ObserverSession"/> exactly as the encoder hands live frames (the
/// session chooses the level, the frame is encoded once at it, the session's queue, pacing by acknowledgements and
/// adaptation do the rest), except that a frame is not offered while the previous one still waits in the session's queue:
/// on a link slower than the rate, playback slows down (and adaptation steps down) rather than losing frames of the
/// run. A run still being recorded is followed as it grows. Requests (play, seek, step, another run)
/// and pauses come from the transport's reader; the loop applies them between frames. Where playback is goes to the
/// observer as <see cref="ReviewStatus"/> events.
/// </summary>
internal sealed class ReviewPlayer : IFeedConditions, IDisposable
{
    /// <summary>Every this many frames the level the session would step up to is encoded too, to know its size.</summary>
    private const int StepUpSizeEvery = 16;

    private readonly string _examId;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly EncodedImagePool[] _pools = StreamVariant.All.Select(v => new EncodedImagePool(v)).ToArray();
    private readonly VariantSizes _sizes = new();
    private readonly FrameSlot _slot = new();
    private readonly RecordedFrameImage _image = new();
    private DsaSubtraction? _subtraction;
    private readonly TierEncoder _encoder;
    private readonly ITimer _dueTimer;
    private ObserverSession? _session;
    private (ReviewRequest Request, RecordedRunEntry Entry)? _pending;
    private bool _pausePending;

    // Owned by the playback loop.
    private XaRunReader? _reader;
    private RecordedRunEntry? _entry;
    private bool _playing;
    private bool _loop;
    private bool _waitingReported;
    private int _start;
    private int _next;
    private int _remaining;
    private long _lastSent;
    private long _due;
    private double _intervalUs = 1e6 / 15;
    private long _frames;

    public ReviewPlayer(string examId, TimeProvider time)
    {
        _examId = examId;
        _time = time;
        _encoder = new TierEncoder(_pools);
        _dueTimer = time.CreateTimer(static s => ((SemaphoreSlim)s!).Release(), _signal, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Frames handed to the session so far.</summary>
    public long FramesPlayed => Interlocked.Read(ref _frames);

    public void Attach(ObserverSession session) => _session = session;

    /// <summary>Plays <paramref name="entry"/> as <paramref name="request"/> asks, from the next frame boundary.</summary>
    public void Request(ReviewRequest request, RecordedRunEntry entry)
    {
        lock (_gate)
        {
            _pending = (request, entry);
            _pausePending = false;
        }
        _signal.Release();
    }

    public void Pause()
    {
        lock (_gate) _pausePending = true;
        _signal.Release();
    }

    /// <summary>Tells the observer about a request that could not be taken (the session goes on as it was).</summary>
    public void Refused(string runId, string detail) => Status("error", detail, runId);

    public async Task RunAsync(CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested)
        {
            TakeCommands();
            if (!_playing)
            {
                await _signal.WaitAsync(cancellation);
                continue;
            }
            long now = _time.GetTimestamp();
            var wait = _time.GetElapsedTime(now, _due);
            if (_due > now && wait > TimeSpan.Zero)
            {
                await WaitAsync(wait, cancellation);
                continue;
            }
            PlayOne(now);
        }
    }

    /// <summary>Until the next frame is due or a command comes: one timer, made once, signals the same semaphore as
    /// commands do (a wake-up for nothing only makes the loop look again).</summary>
    private Task WaitAsync(TimeSpan wait, CancellationToken cancellation)
    {
        _dueTimer.Change(wait, Timeout.InfiniteTimeSpan);
        return _signal.WaitAsync(cancellation);
    }

    private void TakeCommands()
    {
        (ReviewRequest Request, RecordedRunEntry Entry)? pending;
        bool pause;
        lock (_gate)
        {
            pending = _pending;
            pause = _pausePending;
            _pending = null;
            _pausePending = false;
        }
        if (pending is { } p) Start(p.Request, p.Entry);
        if (pause && _playing)
        {
            _playing = false;
            Status("paused");
        }
    }

    private void Start(ReviewRequest request, RecordedRunEntry entry)
    {
        if (_entry?.RunId != entry.RunId || _reader is null)
        {
            _reader?.Dispose();
            _reader = null;
            _entry = entry;
            _image.ResetWindow();
            try
            {
                _reader = XaRunReader.Open(entry.ObjectPath);
                _subtraction = DsaSubtraction.Read(_reader);
            }
            catch (Exception e) when (e is DicomFormatException or IOException or NotSupportedException)
            {
                _playing = false;
                Status("error", $"run {entry.RunId} cannot be read: {e.Message}");
                return;
            }
        }
        double fps = request.Fps > 0 ? request.Fps : RecordedRunLibrary.AcquiredRate(entry, _reader);
        Volatile.Write(ref _intervalUs, 1e6 / fps);
        _start = (int)Math.Max(0, (long)request.StartFrame - 1);
        _next = _start;
        _remaining = (int)Math.Min(request.FrameCount, int.MaxValue);
        _loop = request.Loop;
        _playing = true;
        _waitingReported = false;
        _due = _time.GetTimestamp();
        try
        {
            _reader.Refresh();
        }
        catch (Exception e) when (e is DicomFormatException or IOException)
        {
            // The first frame's turn says so (PlayOne refreshes again and reports it).
        }
        if (_start >= _reader.FrameCount && !_reader.Recording)
        {
            _playing = false;
            Status("error", $"frame {request.StartFrame} is out of range: run {entry.RunId} has {_reader.FrameCount} frames");
            return;
        }
        Status("playing");
    }

    private void PlayOne(long now)
    {
        var reader = _reader!;
        long interval = (long)(_intervalUs * _time.TimestampFrequency / 1e6);
        try
        {
            if (_next >= reader.FrameCount) reader.Refresh();
        }
        catch (Exception e) when (e is DicomFormatException or IOException)
        {
            _playing = false;
            Status("error", $"run {_entry!.RunId} cannot be read further: {e.Message}");
            return;
        }
        if (_next >= reader.FrameCount)
        {
            if (reader.Recording)
            {
                if (!_waitingReported) Status("waiting", "the run is still being recorded");
                _waitingReported = true;
                _due = now + interval;
                return;
            }
            if (!_loop || reader.FrameCount == 0 || _start >= reader.FrameCount)
            {
                _playing = false;
                Status("ended");
                return;
            }
            // A cine loop replays the whole run, wherever playback was started in it.
            _next = 0;
        }
        _waitingReported = false;
        if (_session!.QueuedFrames > 0)
        {
            // The link has not taken the last frame yet. A live frame would replace it (live is about now); a recorded
            // run's frames are all worth seeing, so playback waits instead, and the session's adaptation sees the delay.
            _due = now + Math.Min(interval, _time.TimestampFrequency / 200);
            return;
        }
        try
        {
            if (_subtraction is null && DsaSubtraction.Pending(reader)) _subtraction = DsaSubtraction.Read(reader);
            RecordedRunLibrary.ReadFrame(reader, _next, _image, _subtraction);
        }
        catch (Exception e) when (e is DicomFormatException or IOException or NotSupportedException)
        {
            _playing = false;
            Status("error", $"frame {_next + 1} of run {_entry!.RunId} cannot be read: {e.Message}");
            return;
        }
        Offer(_next + 1);
        _lastSent = _next + 1;
        _next++;
        _due += interval;
        if (_due < now - interval) _due = now; // fell behind (a slow disk): carry on from now rather than rush
        if (_remaining > 0 && --_remaining == 0)
        {
            _playing = false;
            Status("paused");
        }
    }

    private void Offer(long frameNumber)
    {
        var session = _session!;
        var run = _entry!.RunId;
        var info = new LiveFrameInfo(frameNumber, _image.Width, _image.Height, _image.BitsStored, _image.Width, _image.Height);
        long readyUs = UnixClock.NowMicroseconds();
        _slot.Fill(info, _image.Processed, _image.Display, readyUs, _examId, run);
        Interlocked.Increment(ref _frames);
        var level = session.Choose(_slot, _intervalUs);
        if (level is null) return; // the level's divisor or the observer's cap skipped it (counted by the session)
        var image = _encoder.Encode(_slot, level.Variant);
        _sizes.Observe(level.Variant, image.Length);
        bool probe = session.LastChoiceWasProbe;
        session.Offer(new OutgoingFrame(frameNumber, readyUs, run, image, level.Index, _image.Width, _image.Height, Probe: probe));
        if (session.StepUpVariant is { } up && up != level.Variant && (_sizes.Average(up) == 0 || frameNumber % StepUpSizeEvery == 0))
        {
            var measured = _encoder.Encode(_slot, up);
            _sizes.Observe(up, measured.Length);
            measured.Release();
        }
    }

    private void Status(string state, string detail = "", string? runId = null)
    {
        var reader = _reader;
        _session?.Events.Offer(new ExamEvent
        {
            ExamId = _examId,
            AtUnixUs = UnixClock.NowMicroseconds(),
            Review = new ReviewStatus
            {
                RunId = runId ?? _entry?.RunId ?? "",
                State = state,
                FrameNumber = (ulong)_lastSent,
                Frames = (uint)(reader?.FrameCount ?? 0),
                Recording = reader?.Recording ?? false,
                Fps = (float)(1e6 / _intervalUs),
                Detail = detail,
            },
        });
    }

    double IFeedConditions.AverageBytes(StreamVariant variant) => _sizes.Average(variant);

    double IFeedConditions.SourceFps => 1e6 / Volatile.Read(ref _intervalUs);

    int IFeedConditions.SourceDisplayWidth => _image.Width;

    long IFeedConditions.DroppedBeforeEncoder => 0;

    public void Dispose()
    {
        _dueTimer.Dispose();
        _reader?.Dispose();
        _encoder.Dispose();
        // The semaphore is not disposed: a timer callback already on its way may still release it (it holds no handle).
    }
}
