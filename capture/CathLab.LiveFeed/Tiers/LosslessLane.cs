using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Sessions;

namespace CathLab.LiveFeed.Tiers;

/// <summary>Encodes the lossless tier (the 16-bit PNG, about 50 ms a 1024² frame, more under load) on a thread of its
/// own and hands it to the observers that chose it. On the encoder thread it held up every observer's frame, and at
/// 30 fps the encoder queue filled and everyone lost frames before the encoder. The lane keeps the newest frame
/// waiting while it encodes one: a frame it passes over is counted lost for the observers that chose it, and for
/// no one else. Allocation-free after the first frames (the session lists are reused).</summary>
internal sealed class LosslessLane : IDisposable
{
    /// <summary>Frame slots the lane may hold at once: the one it encodes and the one waiting.</summary>
    public const int SlotsHeld = 2;

    /// <summary>The lane's thread yields CPU to the encoder and the rest of the station (Linux weight 110 against 1024), so
    /// that on two busy cores a PNG runs on what the live path leaves rather than on an equal share beside it.</summary>
    private const int Niceness = 10;

    private readonly object _gate = new();
    private readonly FrameStore _store;
    private readonly VariantSizes _sizes;
    private readonly IReadOnlyList<EncodedImagePool> _pools;
    private readonly SemaphoreSlim _waiting = new(0);
    private readonly Thread _thread;
    private List<ObserverSession> _pendingSessions = [];
    private List<ObserverSession> _workingSessions = [];
    private FrameSlot? _pending;
    private bool _encoding;
    private long _encodes;
    private volatile bool _stopping;

    public LosslessLane(FrameStore store, VariantSizes sizes, IReadOnlyList<EncodedImagePool> pools)
    {
        _store = store;
        _sizes = sizes;
        _pools = pools;
        _thread = new Thread(Run) { IsBackground = true, Name = "live feed lossless" };
        _thread.Start();
    }

    public long Encodes => Interlocked.Read(ref _encodes);

    /// <summary>True when no frame is waiting or being encoded.</summary>
    public bool Idle
    {
        get
        {
            lock (_gate) return _pending is null && !_encoding;
        }
    }

    /// <summary>Encoder thread: the lossless tier of this frame for these sessions. Takes its own reference to the
    /// slot. A frame still waiting is replaced (it is lost for its sessions, and counted so).</summary>
    public void Offer(FrameSlot slot, List<ObserverSession> sessions)
    {
        if (sessions.Count == 0 || _stopping) return;
        _store.Retain(slot);
        lock (_gate)
        {
            if (_pending is { } passedOver)
            {
                foreach (var s in _pendingSessions) s.CountLostBeforeSending(passedOver.Info.LastImageHold);
                _store.Release(passedOver);
            }
            else
            {
                _waiting.Release();
            }
            _pending = slot;
            _pendingSessions.Clear();
            _pendingSessions.AddRange(sessions);
        }
    }

    private void Run()
    {
        BatchScheduling.ApplyToCurrentThread(Niceness);
        using var encoder = new TierEncoder(_pools);
        var variant = StreamLevel.Ladder[0].Variant;
        while (true)
        {
            _waiting.Wait();
            FrameSlot? slot;
            lock (_gate)
            {
                slot = _pending;
                _pending = null;
                (_pendingSessions, _workingSessions) = (_workingSessions, _pendingSessions);
                _encoding = slot is not null;
            }
            if (_stopping)
            {
                if (slot is not null) _store.Release(slot);
                break;
            }
            if (slot is null) continue;
            try
            {
                EncodeAndOffer(encoder, slot, variant);
            }
            catch (Exception e) when (e is OpenCvSharp.OpenCVException or OpenCvSharp.OpenCvSharpException or ArgumentException)
            {
                foreach (var s in _workingSessions) s.CountLostBeforeSending(slot.Info.LastImageHold);
            }
            finally
            {
                _workingSessions.Clear();
                _store.Release(slot);
                lock (_gate) _encoding = false;
            }
        }
    }

    private void EncodeAndOffer(TierEncoder encoder, FrameSlot slot, StreamVariant variant)
    {
        var image = encoder.Encode(slot, variant);
        Interlocked.Increment(ref _encodes);
        _sizes.Observe(variant, image.Length);
        var info = slot.Info;
        foreach (var s in _workingSessions)
        {
            image.Retain(); // the session's reference, released when it has sent or dropped the frame
            s.Offer(new OutgoingFrame(info.FrameNumber, slot.ReadyUnixMicroseconds, slot.RunId, image, StreamLevel.Ladder[0].Index, info.Width, info.Height, info.LastImageHold));
        }
        image.Release();
    }

    public void Dispose()
    {
        _stopping = true;
        _waiting.Release();
        _thread.Join(TimeSpan.FromSeconds(5));
        lock (_gate)
        {
            if (_pending is { } left) _store.Release(left);
            _pending = null;
        }
    }
}
