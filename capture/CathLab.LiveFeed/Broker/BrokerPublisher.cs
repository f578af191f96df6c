using System.Threading.Channels;
using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Sessions;
using CathLab.LiveFeed.Tiers;
using Google.Protobuf;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace CathLab.LiveFeed.Broker;

/// <summary>The station side: publishes each lossy variant of each frame once, and the open exam's events, to the
/// exam's subjects, whatever the number of observers. The encoder hands frames over without waiting; when the
/// broker is down or behind the frame is dropped for the broker and counted.</summary>
public sealed class BrokerPublisher : IAsyncDisposable
{
    private static readonly TimeSpan ExamPoll = TimeSpan.FromMilliseconds(50);
    private readonly LiveFeedHub _hub;
    private readonly BrokerOptions _options;
    private readonly ExamSubjects _subjects;
    private readonly NatsConnection _nats;
    private readonly Channel<PendingFrame> _frames;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _frameLoop;
    private readonly Task _eventLoop;
    private readonly Tap _tap;
    private byte[] _buffer = new byte[64 * 1024];
    private long _framesPublished;
    private long _messages;
    private long _bytes;
    private long _framesDropped;
    private long _eventsDropped;
    private volatile string? _lastError;
    private volatile bool _streamsReady;

    public BrokerPublisher(LiveFeedHub hub, BrokerOptions options)
    {
        options.Validate();
        _hub = hub;
        _options = options;
        _subjects = new ExamSubjects(options.SubjectPrefix, options.ExamKeySecret);
        _nats = BrokerConnection.Open(options, "cathlab-station");
        _frames = Channel.CreateBounded<PendingFrame>(new BoundedChannelOptions(options.PublishQueueDepth) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _tap = new Tap(this);
        _frameLoop = Task.Run(PublishFramesAsync);
        _eventLoop = Task.Run(PublishEventsAsync);
        hub.AttachTap(_tap);
    }

    public BrokerStatus Status => new(_nats.ConnectionState == NatsConnectionState.Open, Interlocked.Read(ref _framesPublished), Interlocked.Read(ref _messages),
        Interlocked.Read(ref _bytes), Interlocked.Read(ref _framesDropped), Interlocked.Read(ref _eventsDropped), _lastError);

    public ExamSubjects Subjects => _subjects;

    private readonly record struct PendingFrame(string ExamId, string RunId, LiveFrameInfo Info, long ReadyUs, EncodedImage?[] Images);

    private sealed class Tap(BrokerPublisher publisher) : IEncodedFrameTap
    {
        public void OnEncoded(FrameSlot slot, ReadOnlySpan<EncodedImage?> images) => publisher.Offer(slot, images);
    }

    private void Offer(FrameSlot slot, ReadOnlySpan<EncodedImage?> images)
    {
        if (_nats.ConnectionState != NatsConnectionState.Open)
        {
            Interlocked.Increment(ref _framesDropped);
            return;
        }
        var held = new EncodedImage?[images.Length];
        for (int i = 0; i < images.Length; i++)
        {
            if (images[i] is not { } image) continue;
            image.Retain();
            held[i] = image;
        }
        if (_frames.Writer.TryWrite(new PendingFrame(slot.ExamId, slot.RunId, slot.Info, slot.ReadyUnixMicroseconds, held))) return;
        Interlocked.Increment(ref _framesDropped);
        ReleaseAll(held);
    }

    private static void ReleaseAll(EncodedImage?[] images)
    {
        foreach (var image in images) image?.Release();
    }

    private async Task PublishFramesAsync()
    {
        string examId = "", examKey = "";
        try
        {
            await foreach (var frame in _frames.Reader.ReadAllAsync(_stop.Token))
            {
                try
                {
                    if (frame.ExamId != examId) (examId, examKey) = (frame.ExamId, _subjects.ExamKey(frame.ExamId));
                    foreach (var image in frame.Images)
                    {
                        if (image is null) continue;
                        var envelope = new FrameEnvelope(EnvelopeKind.Frame, image.Variant.Index, frame.Info.LastImageHold, frame.Info.FrameNumber, frame.ReadyUs,
                            frame.Info.Width, frame.Info.Height, image.Width, image.Height);
                        await PublishAsync(_subjects.Frames(examKey, image.Variant), envelope, frame.RunId, image.Data);
                        if (frame.Info.LastImageHold) await PublishAsync(_subjects.Hold(examKey, image.Variant), envelope, frame.RunId, image.Data);
                    }
                    Interlocked.Increment(ref _framesPublished);
                }
                catch (Exception e) when (e is NatsException or TimeoutException)
                {
                    _lastError = e.Message;
                    Interlocked.Increment(ref _framesDropped);
                }
                finally
                {
                    ReleaseAll(frame.Images);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        while (_frames.Reader.TryRead(out var left)) ReleaseAll(left.Images);
    }

    private async ValueTask PublishAsync(string subject, FrameEnvelope envelope, string runId, ReadOnlyMemory<byte> payload)
    {
        int length = FrameEnvelope.LengthOf(runId, payload.Length);
        if (_buffer.Length < length) _buffer = new byte[length + length / 4];
        int written = envelope.Write(_buffer, runId, payload.Span);
        // The client copies the message into its write buffer before the call completes, so the buffer is reused.
        await _nats.PublishAsync(subject, new ReadOnlyMemory<byte>(_buffer, 0, written), cancellationToken: _stop.Token);
        Interlocked.Increment(ref _messages);
        Interlocked.Add(ref _bytes, written);
    }

    /// <summary>Follows the open exam: subscribes to its events and publishes each under its kind's subject, so that
    /// the event stream, which keeps the last message per subject, holds the exam's current run, technique and dose.</summary>
    private async Task PublishEventsAsync()
    {
        var wake = new SemaphoreSlim(0);
        EventSubscription? subscription = null;
        string examKey = "";
        var eventBuffer = new byte[1024];
        try
        {
            await ConnectAsync();
            while (!_stop.IsCancellationRequested)
            {
                await EnsureStreamsAsync();
                string open = _hub.ExamId;
                if (open.Length > 0 && open != subscription?.ExamId)
                {
                    if (subscription is not null) _hub.Unsubscribe(subscription);
                    subscription = new EventSubscription(open, () => wake.Release());
                    examKey = _subjects.ExamKey(open);
                    _hub.Subscribe(subscription);
                }
                while (subscription is not null && subscription.Reader.TryRead(out var examEvent))
                {
                    await PublishEventAsync(examKey, examEvent, eventBuffer);
                }
                await wake.WaitAsync(ExamPoll, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            if (subscription is not null) _hub.Unsubscribe(subscription);
        }
    }

    /// <summary>The client connects on first use; the publisher never waits on the encoder's side, so it connects here,
    /// retrying until the broker answers (the client then reconnects by itself).</summary>
    private async Task ConnectAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _nats.ConnectAsync();
                return;
            }
            catch (NatsException e)
            {
                _lastError = e.Message;
                await Task.Delay(TimeSpan.FromMilliseconds(500), _stop.Token);
            }
        }
    }

    private async ValueTask PublishEventAsync(string examKey, ExamEvent examEvent, byte[] buffer)
    {
        string kind = examEvent.KindCase switch
        {
            ExamEvent.KindOneofCase.RunStarted or ExamEvent.KindOneofCase.RunEnded => "run",
            ExamEvent.KindOneofCase.Technique => "technique",
            ExamEvent.KindOneofCase.Dose => "dose",
            ExamEvent.KindOneofCase.ExamEnded => "end",
            _ => "",
        };
        if (kind.Length == 0 || _nats.ConnectionState != NatsConnectionState.Open)
        {
            Interlocked.Increment(ref _eventsDropped);
            return;
        }
        var body = examEvent.ToByteArray();
        int length = FrameEnvelope.HeaderLength + body.Length;
        if (buffer.Length < length) buffer = new byte[length];
        int written = new FrameEnvelope(EnvelopeKind.Event, 0, false, 0, examEvent.AtUnixUs, 0, 0, 0, 0).Write(buffer, "", body);
        try
        {
            await _nats.PublishAsync(_subjects.Event(examKey, kind), new ReadOnlyMemory<byte>(buffer, 0, written), cancellationToken: _stop.Token);
            Interlocked.Increment(ref _messages);
            Interlocked.Add(ref _bytes, written);
        }
        catch (NatsException e)
        {
            _lastError = e.Message;
            Interlocked.Increment(ref _eventsDropped);
        }
    }

    /// <summary>Once connected: the frame stream keeps the last <see cref="BrokerOptions.FrameWindow"/> of frames, the
    /// hold stream the last-image hold of each variant of each exam, the event stream the last event of each kind of each exam.</summary>
    private async ValueTask EnsureStreamsAsync()
    {
        if (_streamsReady || _nats.ConnectionState != NatsConnectionState.Open) return;
        var js = new NatsJSContext(_nats);
        try
        {
            await js.CreateOrUpdateStreamAsync(new StreamConfig(_subjects.FrameStream, [_subjects.Prefix + ".*.frames.*"])
            {
                MaxAge = _options.FrameWindow, Storage = StreamConfigStorage.Memory, NumReplicas = _options.StreamReplicas, Discard = StreamConfigDiscard.Old,
            }, _stop.Token);
            await js.CreateOrUpdateStreamAsync(new StreamConfig(_subjects.HoldStream, [_subjects.Prefix + ".*.hold.*"])
            {
                MaxMsgsPerSubject = 1, MaxAge = TimeSpan.FromHours(24), Storage = StreamConfigStorage.File, NumReplicas = _options.StreamReplicas,
            }, _stop.Token);
            await js.CreateOrUpdateStreamAsync(new StreamConfig(_subjects.EventStream, [_subjects.Prefix + ".*.events.*"])
            {
                MaxMsgsPerSubject = 1, MaxAge = TimeSpan.FromHours(24), Storage = StreamConfigStorage.File, NumReplicas = _options.StreamReplicas,
            }, _stop.Token);
            _streamsReady = true;
        }
        catch (Exception e) when (e is NatsException or NatsJSException or TimeoutException)
        {
            _lastError = "streams: " + e.Message;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _hub.AttachTap(null);
        _frames.Writer.TryComplete();
        await _stop.CancelAsync();
        await Task.WhenAll(_frameLoop, _eventLoop);
        await _nats.DisposeAsync();
        _stop.Dispose();
    }
}
