using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Sessions;

namespace CathLab.LiveFeed.Tiers;

/// <summary>Encodes, on its own thread, the variants that no observer receives but some observer may step up to,
/// so that its adaptation knows their size. Off the encoder thread because such an encode can be far slower
/// than the live ones (a 16-bit PNG of a 1024² frame takes about 50 ms, more under load): done inline, it held
/// up that frame and the ones queued behind it, which was the fixed ~67 ms latency tail. One frame at a time;
/// a request while busy is refused and the encoder asks again on a later frame.</summary>
internal sealed class VariantSizeProbe : IDisposable
{
    /// <summary>A variant that some observer may step up to, but nobody receives, is measured again after this many frames.</summary>
    private const int RemeasureEvery = 64;

    private readonly FrameStore _store;
    private readonly long[] _measuredAt = new long[StreamVariant.All.Count];
    private readonly VariantSizes _sizes;
    // Its own pools: a probe's image is returned at once and must never take an image that the live path holds.
    private readonly EncodedImagePool[] _pools = StreamVariant.All.Select(v => new EncodedImagePool(v)).ToArray();
    private readonly SemaphoreSlim _requested = new(0);
    private readonly Thread _thread;
    private FrameSlot? _slot;
    private int _variantMask;
    private int _busy;
    private long _probes;
    private volatile bool _stopping;

    public VariantSizeProbe(FrameStore store, VariantSizes sizes)
    {
        _store = store;
        _sizes = sizes;
        _thread = new Thread(Run) { IsBackground = true, Name = "live feed size probe" };
        _thread.Start();
    }

    /// <summary>Variant encodes done by the probe so far.</summary>
    public long Probes => Interlocked.Read(ref _probes);

    /// <summary>Encoder thread, after the frame went out: measures the variants that sessions may step up to and that
    /// were not encoded for this frame (<paramref name="encodedMask"/>), when unknown or not measured for a while.</summary>
    public void RequestIfDue(ObserverSession[] sessions, FrameSlot slot, int encodedMask, long frame)
    {
        int mask = 0;
        foreach (var s in sessions)
        {
            if (s.StepUpVariant is not { } v || (encodedMask & (1 << v.Index)) != 0) continue;
            if (_sizes.Average(v) == 0 || frame - _measuredAt[v.Index] >= RemeasureEvery) mask |= 1 << v.Index;
        }
        if (TryRequest(slot, mask)) encodedMask |= mask;
        for (int v = 0; v < _measuredAt.Length; v++)
        {
            if ((encodedMask & (1 << v)) != 0) _measuredAt[v] = frame;
        }
    }

    /// <summary>Encoder thread: measure the variants in <paramref name="variantMask"/> (bit = variant index) on this
    /// frame. The probe takes its own reference to the slot. False when it is still busy with an earlier frame.</summary>
    private bool TryRequest(FrameSlot slot, int variantMask)
    {
        if (variantMask == 0 || _stopping || Interlocked.CompareExchange(ref _busy, 1, 0) != 0) return false;
        _store.Retain(slot);
        _slot = slot;
        _variantMask = variantMask;
        _requested.Release();
        return true;
    }

    private void Run()
    {
        BatchScheduling.ApplyToCurrentThread();
        using var encoder = new TierEncoder(_pools);
        while (true)
        {
            _requested.Wait();
            if (_stopping)
            {
                if (Interlocked.Exchange(ref _slot, null) is { } left) _store.Release(left);
                break;
            }
            var slot = _slot!;
            try
            {
                foreach (var v in StreamVariant.All)
                {
                    if ((_variantMask & (1 << v.Index)) == 0) continue;
                    var image = encoder.Encode(slot, v);
                    _sizes.Observe(v, image.Length);
                    image.Release();
                    Interlocked.Increment(ref _probes);
                }
            }
            catch (Exception e) when (e is OpenCvSharp.OpenCVException or OpenCvSharp.OpenCvSharpException or ArgumentException)
            {
                // A frame OpenCV cannot encode is counted by the encoder thread, which fails on it too.
            }
            finally
            {
                _slot = null;
                _store.Release(slot);
                Volatile.Write(ref _busy, 0);
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _requested.Release();
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}
