using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Frames;
using CathLab.Security.Access;
using CathLab.LiveFeed.Sessions;
using CathLab.LiveFeed.Tiers;
using CathLab.LiveFeed.Video;

namespace CathLab.LiveFeed;

/// <summary>The live feed's input side, as the station sees it, composed of parts with one job each: the open exam
/// (<see cref="OpenExam"/>), frame intake (<see cref="FrameIntake"/>), the encoder thread and its fan-out
/// (<see cref="EncoderLoop"/>, with the lossless lane and the size probe), the observers (<see cref="SessionRegistry"/>),
/// the exam's events (<see cref="ExamEventFeed"/>) and lossless fetches (<see cref="LosslessFetch"/>).</summary>
public sealed class LiveFeedHub : IDisposable, IFeedConditions
{
    private static readonly TimeSpan EndExamDrain = TimeSpan.FromSeconds(1);
    private readonly OpenExam _exam = new();
    private readonly FrameStore _store;
    private readonly FrameIntake _intake;
    private readonly ExamEventFeed _events;
    private readonly SessionRegistry _sessions;
    private readonly EncoderLoop _encoder;
    private readonly LosslessFetch _fetch;
    private readonly LastImageHoldReplay _holdReplay;
    private readonly VideoJoinPicture _joinPicture;
    private readonly VideoLadder _video;

    public LiveFeedHub(LiveFeedOptions options)
    {
        options.Validate();
        _store = new FrameStore(options.EncoderQueueDepth + 1 + LosslessLane.SlotsHeld, options.RecentFrames, options.MarkedFrames);
        var queue = new EncoderQueue(options.EncoderQueueDepth);
        _intake = new FrameIntake(_exam, _store, queue);
        _events = new ExamEventFeed(_exam);
        _sessions = new SessionRegistry(_events);
        _video = new VideoLadder(options.VideoEncodings);
        _encoder = new EncoderLoop(_store, queue, _sessions, _video);
        _fetch = new LosslessFetch(_store);
        _holdReplay = new LastImageHoldReplay(_store);
        _joinPicture = new VideoJoinPicture(_store, _video);
    }

    /// <summary>The exam whose frames are live now; empty when none.</summary>
    public string ExamId => _exam.ExamId;

    public LiveFeedCounters Counters => new(_intake.Published, _intake.DroppedBeforeEncoder, _encoder.Encoded, _encoder.Failures);

    /// <summary>Managed bytes the encoder thread has allocated since it started: divided by
    /// <see cref="LiveFeedCounters.Encoded"/> over a steady window it is the per-frame cost.</summary>
    public long EncoderAllocatedBytes => _encoder.AllocatedBytes;

    internal long EncoderFramesDone => _encoder.FramesDone;

    internal bool EncoderThreadIsBatch => _encoder.IsBatch;

    /// <summary>True when the lossless lane has no frame waiting or being encoded.</summary>
    internal bool LosslessIdle => _encoder.LosslessIdle;

    /// <summary>The acquisition frame rate as the live feed sees it (smoothed).</summary>
    public double SourceFps => _encoder.SourceFps;

    public IReadOnlyList<ObserverSession> Sessions => _sessions.Snapshot;

    internal FrameStore Store => _store;

    /// <summary>The shared VP8 encodings (their encode and subscriber counts).</summary>
    public VideoLadder Video => _video;

    internal EncodedImagePool PoolOf(StreamVariant variant) => _encoder.PoolOf(variant);

    /// <summary>Recent encoded size of a variant in bytes (0 before it was first encoded or measured).</summary>
    public double AverageBytes(StreamVariant variant) => _encoder.AverageBytes(variant);

    /// <summary>How many times a variant has been encoded for observers (at most once per frame).</summary>
    public long EncodesOf(StreamVariant variant) => _encoder.EncodesOf(variant);

    /// <summary>Variant encodes the size probe has made (sizes of what observers may step up to).</summary>
    public long SizeProbes => _encoder.SizeProbes;

    int IFeedConditions.SourceDisplayWidth => _encoder.SourceDisplayWidth;

    long IFeedConditions.DroppedBeforeEncoder => _intake.DroppedBeforeEncoder;

    /// <summary>Opens an exam: from now on published frames belong to it.</summary>
    public void BeginExam(string examId)
    {
        _exam.Begin(examId);
        _events.ForgetState();
    }

    /// <summary>Closes the exam: its observers get an <see cref="ExamEnded"/> event, after which their streams end. The
    /// frames already taken (the last-image hold among them) are encoded and offered first, waiting at most
    /// <see cref="EndExamDrain"/> for the encoder, so that the end does not overtake them.</summary>
    public void EndExam()
    {
        _encoder.WaitUntilDone(_intake.Taken, EndExamDrain);
        _events.ExamEnded();
        _exam.End();
    }

    /// <summary>Hands one processed frame to the live feed. Copies both images into a pooled slot and returns
    /// without waiting; when the encoder is behind the frame is dropped for the live feed (and counted).</summary>
    /// <returns>False when the frame was dropped.</returns>
    public bool PublishFrame(in LiveFrameInfo info, ReadOnlySpan<ushort> processed16, ReadOnlySpan<byte> display8) =>
        _intake.Publish(info, processed16, display8);

    public void PublishRunStarted(string runId, string kind, double frameRate)
    {
        _exam.StartRun(runId);
        _events.RunStarted(runId, kind, frameRate);
    }

    public void PublishRunEnded(string runId, int frames) => _events.RunEnded(runId, frames);

    public void PublishTechnique(double kv, double ma, double pulseWidthMs, double pulseRate) => _events.Technique(kv, ma, pulseWidthMs, pulseRate);

    public void PublishDose(double referenceAirKermaMilligray, double doseAreaProductGycm2, double fluoroTimeSeconds) =>
        _events.Dose(referenceAirKermaMilligray, doseAreaProductGycm2, fluoroTimeSeconds);

    /// <summary>Last-image holds sent to observers who joined between runs.</summary>
    public long HoldsReplayed => _holdReplay.Replayed;

    /// <summary>Video observers sent the newest display frame as a key frame on joining.</summary>
    public long JoinPicturesSent => _joinPicture.Sent;

    /// <summary>Registers an observer; it first receives the exam's current run, technique and dose, and between
    /// runs the last run's last-image hold. With <paramref name="codec"/> VP8 it receives the shared video encodings
    /// instead of JPEG tiers, and first, at once, the exam's newest display frame (the hold between runs) as a key frame
    /// of its starting rung (<see cref="VideoJoinPicture"/>); only where that rung cannot be made from the display frame
    /// does it get the hold as a JPEG.</summary>
    internal ObserverSession Join(CallerIdentity caller, string examId, Tier bestTier, double maxFps, string transport, string? peer, ImageEncoding codec = ImageEncoding.Unspecified)
    {
        // A relay's frames arrive encoded as JPEG variants: its observers who ask for video get those.
        bool video = codec == ImageEncoding.Vp8 && HoldSource is null;
        var session = new ObserverSession(this, caller, examId, bestTier, maxFps, transport, peer, video ? _video : null);
        if (HoldSource is { } relayed) relayed(session);
        else if (!_joinPicture.OfferTo(session)) _holdReplay.OfferTo(session);
        session.StartVideo();
        _sessions.Add(session);
        return session;
    }

    /// <summary>On a relay: where a joiner's last-image hold comes from (the frames arrive encoded, not through this hub's
    /// encoder); null on a station.</summary>
    internal Func<ObserverSession, bool>? HoldSource { get; set; }

    /// <summary>Hands every encoded frame to the broker's publisher as well (null detaches).</summary>
    internal void AttachTap(Broker.IEncodedFrameTap? tap) => _encoder.Tap = tap;

    internal void Leave(ObserverSession session) => _sessions.Remove(session);

    internal void Subscribe(EventSubscription subscription) => _events.Subscribe(subscription);

    internal void Unsubscribe(EventSubscription subscription) => _events.Unsubscribe(subscription);

    /// <summary>Encodes one retained frame at full lossless quality, or returns null when it is no longer kept.</summary>
    internal (byte[] Png, LiveFrameInfo Info)? EncodeLossless(string examId, long frameNumber) => _fetch.Encode(examId, frameNumber);

    internal bool Mark(string examId, long frameNumber) => _fetch.Mark(examId, frameNumber);

    public void Dispose()
    {
        _encoder.Dispose();
        _holdReplay.Dispose();
        _joinPicture.Dispose();
        _sessions.StopAll();
        _video.Dispose();
    }
}
