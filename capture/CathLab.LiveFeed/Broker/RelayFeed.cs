using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Tiers;
using Google.Protobuf;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Tier = CathLab.LiveFeed.Protocol.Tier;

namespace CathLab.LiveFeed.Broker;

/// <summary>The relay side: for each exam it was given, subscribes to the exam's frames and events and feeds its own hub, whose observers are served as on the station. A message that is
/// not a well-formed envelope is dropped and counted.</summary>
public sealed class RelayFeed : IAsyncDisposable
{
    private static readonly int PublishedVariants = StreamVariant.All.Count(v => v.Tier != Tier.Lossless);
    private readonly LiveFeedHub _hub;
    private readonly BrokerOptions _options;
    private readonly ExamSubjects _subjects;
    private readonly NatsConnection _nats;
    private readonly EncodedFrameFanOut _fanOut;
    private readonly EncodedImagePool[] _pools = StreamVariant.All.Select(v => new EncodedImagePool(v)).ToArray();
    private readonly EncodedImage?[] _pending = new EncodedImage?[StreamVariant.All.Count];
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private (string ExamId, string RunId, LiveFrameInfo Info, long ReadyUs) _pendingFrame;
    private int _pendingCount;
    private long _malformed;
    private long _frames;
    private long _events;
    private long _lastReadyUs;
    private long _replayed;

    public RelayFeed(LiveFeedHub hub, BrokerOptions options)
    {
        options.Validate();
        if (!options.IsRelay) throw new ArgumentException("a relay needs the exams it serves (RelayExams)", nameof(options));
        _hub = hub;
        _options = options;
        _subjects = new ExamSubjects(options.SubjectPrefix, options.ExamKeySecret);
        _nats = BrokerConnection.Open(options, "cathlab-relay");
        _fanOut = new EncodedFrameFanOut(hub);
        hub.HoldSource = _fanOut.OfferHoldTo;
        foreach (string examId in options.RelayExams) _loops.Add(Task.Run(() => ServeExamAsync(examId)));
    }

    /// <summary>Messages that were not well-formed envelopes (dropped).</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Frames handed to the hub's observers.</summary>
    public long Frames => Interlocked.Read(ref _frames);

    public long Events => Interlocked.Read(ref _events);

    /// <summary>The station's ready time of the newest frame relayed (Unix µs): how far behind live the relay is.</summary>
    public long LastReadyUnixMicroseconds => Interlocked.Read(ref _lastReadyUs);

    /// <summary>Why the last read of a stream failed (it is retried), for the status.</summary>
    public string? LastError { get; private set; }

    public bool Connected => _nats.ConnectionState == NatsConnectionState.Open;

    /// <summary>Messages replayed from the broker's streams when the relay began an exam (events and frames).</summary>
    public long Replayed => Interlocked.Read(ref _replayed);

    private async Task ServeExamAsync(string examId)
    {
        string key = _subjects.ExamKey(examId);
        await ReplayLatestAsync(examId, key);
        await Task.WhenAll(
            ConsumeAsync(examId, $"{_subjects.Prefix}.{key}.frames.*"),
            ConsumeAsync(examId, $"{_subjects.Prefix}.{key}.events.*"));
    }

    /// <summary>Begins an exam from what the streams hold: the latest event of each kind in the order they were
    /// published (unless the newest says the exam ended), then the newest frame of each variant, so an observer of a
    /// relay started late sees the run, technique, dose and last image at once. A stream not reachable yet is skipped:
    /// the subscriptions bring the next ones.</summary>
    private async Task ReplayLatestAsync(string examId, string key)
    {
        await WaitConnectedAsync();
        var events = new List<(ulong Sequence, byte[] Data)>();
        foreach (string kind in ExamSubjects.EventKinds)
        {
            if (await StreamLastMessage.ReadAsync(_nats, _subjects.EventStream, _subjects.Event(key, kind), _stop.Token) is { } found) events.Add(found);
        }
        var frames = new List<(ulong Sequence, byte[] Data)>();
        foreach (var variant in StreamVariant.All.Where(v => v.Tier != Tier.Lossless))
        {
            // The newest frame while a run is on, or the last run's hold once the frame window has let its frames go.
            var newest = await StreamLastMessage.ReadAsync(_nats, _subjects.FrameStream, _subjects.Frames(key, variant), _stop.Token)
                ?? await StreamLastMessage.ReadAsync(_nats, _subjects.HoldStream, _subjects.Hold(key, variant), _stop.Token);
            if (newest is { } found) frames.Add(found);
        }
        events.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        if (events.Count > 0 && IsExamEnded(events[^1].Data)) return;
        foreach (var (_, data) in events.Concat(frames))
        {
            Receive(examId, data);
            Interlocked.Increment(ref _replayed);
        }
    }

    private static bool IsExamEnded(byte[] message) =>
        FrameEnvelope.TryRead(message, out var envelope, out _, out var payload) && envelope.Kind == EnvelopeKind.Event
        && TryParseEvent(payload) is { KindCase: ExamEvent.KindOneofCase.ExamEnded };

    private static ExamEvent? TryParseEvent(ReadOnlySpan<byte> payload)
    {
        try
        {
            return ExamEvent.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private async Task WaitConnectedAsync()
    {
        try
        {
            await _nats.ConnectAsync();
        }
        catch (NatsException e)
        {
            LastError = e.Message;
        }
    }

    private async Task ConsumeAsync(string examId, string filter)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                // A plain subscription: the client resubscribes by itself on another server when one goes; what came
                // before it is in the streams (ReplayLatestAsync).
                await foreach (var msg in _nats.SubscribeAsync<NatsMemoryOwner<byte>>(filter, cancellationToken: _stop.Token))
                {
                    using var data = msg.Data;
                    Receive(examId, data.Memory.Span);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NatsException or NatsJSException or TimeoutException or InvalidOperationException)
            {
                LastError = e.Message;
                // The stream is not there yet (no station has published) or the cluster is changing leader: try again.
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Receive(string examId, ReadOnlySpan<byte> message)
    {
        if (!FrameEnvelope.TryRead(message, out var envelope, out var runBytes, out var payload))
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        lock (_gate)
        {
            if (envelope.Kind == EnvelopeKind.Event) ReceiveEvent(examId, payload);
            else ReceiveFrame(examId, envelope, runBytes, payload);
        }
    }

    private void ReceiveEvent(string examId, ReadOnlySpan<byte> payload)
    {
        if (TryParseEvent(payload) is not { } examEvent)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        Interlocked.Increment(ref _events);
        if (examEvent.KindCase == ExamEvent.KindOneofCase.ExamEnded)
        {
            if (_hub.ExamId == examId)
            {
                FlushPending();
                _hub.EndExam();
            }
            return;
        }
        Open(examId);
        switch (examEvent.KindCase)
        {
            case ExamEvent.KindOneofCase.RunStarted:
                _hub.PublishRunStarted(examEvent.RunStarted.RunId, examEvent.RunStarted.Kind, examEvent.RunStarted.FrameRate);
                break;
            case ExamEvent.KindOneofCase.RunEnded:
                _hub.PublishRunEnded(examEvent.RunEnded.RunId, (int)examEvent.RunEnded.Frames);
                break;
            case ExamEvent.KindOneofCase.Technique:
                var t = examEvent.Technique;
                _hub.PublishTechnique(t.Kv, t.Ma, t.PulseWidthMs, t.PulseRate);
                break;
            case ExamEvent.KindOneofCase.Dose:
                var d = examEvent.Dose;
                _hub.PublishDose(d.ReferenceAirKermaMgy, d.DoseAreaProductGycm2, d.FluoroTimeS);
                break;
        }
    }

    private void Open(string examId)
    {
        if (_hub.ExamId != examId) _hub.BeginExam(examId);
    }

    private void ReceiveFrame(string examId, in FrameEnvelope envelope, ReadOnlySpan<byte> runBytes, ReadOnlySpan<byte> payload)
    {
        var variant = StreamVariant.All[envelope.VariantIndex];
        if (variant.Tier == Tier.Lossless)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        Open(examId);
        if (_pendingCount > 0 && (_pendingFrame.Info.FrameNumber != envelope.FrameNumber || _pendingFrame.ExamId != examId
            || _pending[variant.Index] is not null)) FlushPending();
        if (_pendingCount == 0)
        {
            string runId = runBytes.Length == 0 ? "" : System.Text.Encoding.UTF8.GetString(runBytes);
            var info = new LiveFrameInfo(envelope.FrameNumber, envelope.SourceWidth, envelope.SourceHeight, 0, envelope.SourceWidth, envelope.SourceHeight, envelope.LastImageHold);
            _pendingFrame = (examId, runId, info, envelope.ReadyUnixMicroseconds);
        }
        var image = _pools[variant.Index].Rent();
        Fill(image, envelope.ImageWidth, envelope.ImageHeight, payload);
        _pending[variant.Index] = image;
        if (++_pendingCount == PublishedVariants) FlushPending();
    }

    private static unsafe void Fill(EncodedImage image, int width, int height, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes) image.Fill(width, height, (IntPtr)p, bytes.Length);
    }

    private void FlushPending()
    {
        if (_pendingCount == 0) return;
        var (examId, runId, info, readyUs) = _pendingFrame;
        _fanOut.FanOut(examId, runId, info, readyUs, _pending);
        Interlocked.Increment(ref _frames);
        Interlocked.Exchange(ref _lastReadyUs, readyUs);
        for (int i = 0; i < _pending.Length; i++)
        {
            _pending[i]?.Release();
            _pending[i] = null;
        }
        _pendingCount = 0;
    }

    public async ValueTask DisposeAsync()
    {
        _hub.HoldSource = null;
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        lock (_gate)
        {
            for (int i = 0; i < _pending.Length; i++)
            {
                _pending[i]?.Release();
                _pending[i] = null;
            }
        }
        _fanOut.Dispose();
        await _nats.DisposeAsync();
        _stop.Dispose();
    }
}
