using System.Diagnostics;
using System.Threading.Channels;
using CathLab.Acquisition.Distribution;
using CathLab.Acquisition.Frames;
using CathLab.Acquisition.Runs;
using Microsoft.Extensions.Logging;

namespace CathLab.Acquisition.Recording;

/// <summary>
/// Records each run as one multi-frame XA object in the spool folder, frame by frame as it is acquired. Reads its
/// must-not-lose queue on a thread of its own; <see cref="Begin"/> before the pedal, <see cref="EndAsync"/> with the
/// sequencer's result. Each frame is written with the technique and time of the generator's own report of its pulse
/// and released at once. A run is completed under its final name only when frames written, pulses reported and frames
/// received agree and nothing was lost; otherwise the partial file is deleted and the outcome says why. After a
/// failure mid-run (disk error, missing pulse report) the rest of the run's frames are released unread, so
/// acquisition never waits on the recorder. Frames that arrive while no run is recorded are released.
/// </summary>
public sealed class RunRecorder : IAsyncDisposable
{
    private readonly FrameQueue _queue;
    private readonly PulseReportBook _pulses;
    private readonly RecorderOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ManualResetEventSlim _readable = new(false);
    private readonly Action _setReadable;
    private readonly Task _loop;
    private RecordingSession? _session;
    private long _read;
    private long _handled;
    private long _stray;

    public RunRecorder(FrameQueue queue, PulseReportBook pulses, RecorderOptions options, ILogger<RunRecorder> logger)
    {
        if (queue.Policy != ConsumerPolicy.MustNotLose) throw new ArgumentException($"the recorder needs a must-not-lose queue; '{queue.Name}' is {queue.Policy}", nameof(queue));
        if (string.IsNullOrWhiteSpace(options.SpoolFolder)) throw new ArgumentException("the recorder needs a spool folder", nameof(options));
        _queue = queue;
        _pulses = pulses;
        _options = options;
        _logger = logger;
        _setReadable = _readable.Set;
        _loop = Task.Factory.StartNew(ReadLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Where and how runs are written; a saved fluoro loop is written the same way.</summary>
    public RecorderOptions Options => _options;

    /// <summary>Frames released unrecorded because no run was being recorded.</summary>
    public long StrayFrames => Interlocked.Read(ref _stray);

    public bool Recording
    {
        get { lock (_gate) return _session is not null; }
    }

    /// <summary>The final path of the object being recorded (its frames are in the partial file beside it until it is
    /// completed), or null when no run is being recorded.</summary>
    public string? RecordingPath
    {
        get { lock (_gate) return _session?.Path; }
    }

    /// <summary>How many frames of <paramref name="format"/> a run at <paramref name="pulseRate"/> begun now can hold
    /// (its transfer syntax and spool space).</summary>
    public RecordingCapacity CapacityFor(Dicom.Data.DicomFrameFormat format, double pulseRate)
    {
        Directory.CreateDirectory(_options.SpoolFolder);
        return RecordingCapacity.For(_options.SyntaxFor(pulseRate), format, RecordingCapacity.FreeBytes(_options.SpoolFolder), _options.SpoolReserveBytes);
    }

    /// <summary>Starts recording a run; call before the pedal. Throws, before any exposure, when the request cannot be
    /// recorded, a run is already being recorded, or the spool folder cannot be written.</summary>
    public void Begin(RecordingRequest request)
    {
        if (request.Violation() is { } violation) throw new ArgumentException(violation, nameof(request));
        Directory.CreateDirectory(_options.SpoolFolder);
        ProbeSpool();
        var session = new RecordingSession(request, _options, _queue.Delivered, _queue.Dropped, _pulses.Received);
        lock (_gate)
        {
            if (_session is not null) throw new InvalidOperationException("a run is already being recorded: end it first");
            _session = session;
        }
        _logger.LogInformation("recording {Protocol} as instance {Instance} to {Path}", request.Protocol.Name, request.InstanceNumber, session.Path);
    }

    /// <summary>Ends the run the sequencer returned: waits for its queued frames to reach the disk, then completes the
    /// object if everything agrees, or deletes it and says why. Cancelled, it abandons the recording.</summary>
    public async Task<RecordingOutcome> EndAsync(RunResult run, CancellationToken cancellationToken = default)
    {
        RecordingSession session;
        lock (_gate) session = _session ?? throw new InvalidOperationException("no run is being recorded");
        var clock = Stopwatch.StartNew();
        bool drained;
        try
        {
            while (!(drained = Drained(session, run)) && clock.Elapsed < _options.DrainTimeout) await Task.Delay(5, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Abandon("ending the recording was cancelled");
            throw;
        }
        lock (_gate) _session = null;

        var failure = Check(session, run, drained);
        if (failure is null)
        {
            try
            {
                var recorded = session.Complete();
                _logger.LogInformation("run {Number} stored: {Frames} frames, {Path}", run.Number, recorded.Image.Frames, recorded.Image.Path);
                return new RecordingOutcome(recorded, null);
            }
            catch (Exception e)
            {
                // The writer deletes its partial file when completion fails.
                failure = $"the object could not be completed: {e.Message}";
            }
        }
        session.Fail(failure);
        _logger.LogError("run {Number} NOT stored: {Failure}", run.Number, session.Failure);
        return RecordingOutcome.Failed(session.Failure ?? failure);
    }

    /// <summary>True once every frame queued so far was handled and every frame the sequencer counted for the run reached
    /// the recorder or was dropped: the sequencer counts a frame just before it is queued, so its result can come first.</summary>
    private bool Drained(RecordingSession session, RunResult run)
    {
        long seen;
        lock (_gate) seen = session.FramesSeen;
        long dropped = _queue.Dropped - session.DroppedAtBegin;
        return Volatile.Read(ref _handled) >= _queue.Delivered && seen + dropped >= run.FramesReceived;
    }

    /// <summary>Drops the run being recorded (the sequencer refused it or threw); its partial file is deleted.</summary>
    public void Abandon(string reason)
    {
        RecordingSession? session;
        lock (_gate)
        {
            session = _session;
            _session = null;
            session?.Fail(reason);
        }
        if (session is not null) _logger.LogWarning("recording abandoned: {Reason}", reason);
    }

    private string? Check(RecordingSession session, RunResult run, bool drained)
    {
        var reasons = new List<string>();
        if (session.Failure is { } failure) reasons.Add(failure);
        if (!drained) reasons.Add($"the queued frames did not reach the disk within {_options.DrainTimeout.TotalSeconds:0} s of the run's end");
        if (!run.Complete) reasons.Add($"the run failed: {run.Failure}");
        // The queue's loss flag is sticky for its lifetime; what matters is whether this run lost anything.
        long dropped = _queue.Dropped - session.DroppedAtBegin;
        if (dropped > 0) reasons.Add($"the recorder's queue dropped {dropped} frame(s) (it fell behind)");
        long reported = _pulses.Received - session.ReportsAtBegin;
        if (reasons.Count == 0 && !(session.FramesWritten == reported && reported == run.Pulses && run.Pulses == run.FramesReceived))
            reasons.Add($"{session.FramesWritten} frames written, {reported} pulses reported to the recorder, {run.Pulses} pulses counted and {run.FramesReceived} frames received");
        if (reasons.Count == 0 && session.FramesWritten == 0) reasons.Add("no frame was recorded");
        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    private void ProbeSpool()
    {
        var probe = Path.Combine(_options.SpoolFolder, $".probe-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}");
        try
        {
            File.WriteAllBytes(probe, [0]);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"the spool folder {_options.SpoolFolder} cannot be written: {e.Message}", e);
        }
    }

    private void ReadLoop()
    {
        var reader = _queue.Reader;
        while (true)
        {
            while (reader.TryRead(out var frame))
            {
                long ordinal = ++_read;
                try
                {
                    lock (_gate) Record(frame, ordinal);
                }
                catch (Exception e)
                {
                    // A bug here must not stop the loop: a recorder that stops reading fails every later run too.
                    _logger.LogCritical(e, "the recorder failed on frame {Ordinal}", ordinal);
                    lock (_gate) _session?.Fail($"the recorder failed: {e.Message}");
                }
                finally
                {
                    frame.Release();
                    Volatile.Write(ref _handled, ordinal);
                }
            }
            if (!WaitToRead(reader)) return;
        }
    }

    /// <summary>Blocks this thread until the queue has a frame, without allocating a task per wait.</summary>
    private bool WaitToRead(ChannelReader<Frame> reader)
    {
        var pending = reader.WaitToReadAsync(_stop.Token);
        if (!pending.IsCompleted)
        {
            _readable.Reset();
            pending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_setReadable);
            _readable.Wait();
        }
        try
        {
            return pending.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Record(Frame frame, long ordinal)
    {
        var session = _session;
        if (session is null || ordinal <= session.StartOrdinal)
        {
            _stray++;
            return;
        }
        session.FramesSeen++;
        if (session.Failure is not null)
        {
            session.FramesDiscarded++;
            return;
        }
        uint pulseId = frame.Info.PulseId;
        int number = session.FramesWritten + 1;
        if (!_pulses.TryFind(pulseId, out var report) && !_pulses.WaitFor(pulseId, _options.PulseReportWait, out report, out var missing))
        {
            FailMidRun(session, $"frame {number}: {missing}");
            return;
        }
        try
        {
            session.Write(frame, report);
        }
        catch (Exception e)
        {
            // Whatever the cause (disk full, a frame of another size), the run cannot be trusted; the loop must live on.
            FailMidRun(session, $"frame {number} (pulse {pulseId}) could not be written: {e.Message}");
        }
    }

    private void FailMidRun(RecordingSession session, string reason)
    {
        session.Fail(reason);
        _logger.LogError("recording FAILED: {Reason}; the rest of the run's frames are released unrecorded", reason);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
        Abandon("the recorder stopped");
        while (_queue.Reader.TryRead(out var frame)) frame.Release();
        _readable.Dispose();
        _stop.Dispose();
    }
}
