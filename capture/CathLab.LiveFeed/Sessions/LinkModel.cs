namespace CathLab.LiveFeed.Sessions;

/// <summary>An observer's link as a fixed delay plus a bandwidth: a frame of <c>b</c> bytes is acknowledged
/// <c>delay + b / bandwidth</c> after it was sent. The delay is what the observer adds whatever the size (a browser
/// drawing the frame before it acknowledges, its event loop, the round trip); the bandwidth is what the link carries.
/// A single bytes-per-time figure mixes the two: with a 25 ms draw delay a 4 KB preview "measures" 170 KB/s on a link
/// of any capacity, and no step up to a 45 KB frame was ever judged to fit. The two are told apart by frames of
/// different sizes (the next level's probe frames among the current level's): each size class keeps its fastest
/// crossing (noise only adds), and the line through the smallest and largest class gives both. Not thread-safe.</summary>
public sealed class LinkModel
{
    /// <summary>Recent acknowledged frames kept.</summary>
    public const int Samples = 32;

    /// <summary>The largest and smallest frames must differ at least this much to tell delay from bandwidth.</summary>
    public const double SpreadNeeded = 2;

    /// <summary>Bandwidth assumed when larger frames crossed no slower than small ones (loopback).</summary>
    public const double UnboundedBytesPerSecond = 1e9;

    private readonly (int Bytes, long TransferUs)[] _samples = new (int, long)[Samples];
    private int _count;
    private int _next;

    public void Add(int bytes, long transferUs)
    {
        if (bytes <= 0 || transferUs <= 0) return;
        _samples[_next] = (bytes, transferUs);
        _next = (_next + 1) % Samples;
        _count = Math.Min(_count + 1, Samples);
    }

    /// <summary>The largest frame among the recent ones (0 when none).</summary>
    public int LargestBytes
    {
        get
        {
            int largest = 0;
            for (int i = 0; i < _count; i++) largest = Math.Max(largest, _samples[i].Bytes);
            return largest;
        }
    }

    /// <summary>A lower bound of the bandwidth that needs no spread of sizes: the best bytes per time of any recent
    /// frame, as if the delay were 0. 0 when nothing was acknowledged yet.</summary>
    public double BandwidthLowerBound
    {
        get
        {
            double best = 0;
            for (int i = 0; i < _count; i++) best = Math.Max(best, _samples[i].Bytes * 1e6 / _samples[i].TransferUs);
            return best;
        }
    }

    /// <summary>The fixed delay (µs) and bandwidth (bytes/s), when the recent frames' sizes differ enough to tell them
    /// apart and some frame was at least half of <paramref name="forBytes"/> (the model is not stretched further).</summary>
    public bool TryEstimate(double forBytes, out double delayUs, out double bytesPerSecond)
    {
        delayUs = 0;
        bytesPerSecond = 0;
        if (_count == 0) return false;
        int smallest = int.MaxValue;
        int largest = 0;
        for (int i = 0; i < _count; i++)
        {
            smallest = Math.Min(smallest, _samples[i].Bytes);
            largest = Math.Max(largest, _samples[i].Bytes);
        }
        if (largest < SpreadNeeded * smallest || largest < 0.5 * forBytes) return false;
        var (smallBytes, smallUs) = FastestNear(smallest);
        var (largeBytes, largeUs) = FastestNear(largest);
        bytesPerSecond = largeUs > smallUs ? (largeBytes - smallBytes) * 1e6 / (largeUs - smallUs) : UnboundedBytesPerSecond;
        bytesPerSecond = Math.Min(bytesPerSecond, UnboundedBytesPerSecond);
        delayUs = Math.Clamp(smallUs - smallBytes * 1e6 / bytesPerSecond, 0, smallUs);
        return true;
    }

    /// <summary>The fastest crossing among frames within 1.5× of a size, with that frame's size.</summary>
    private (int Bytes, long Us) FastestNear(int bytes)
    {
        (int Bytes, long Us) fastest = (bytes, long.MaxValue);
        for (int i = 0; i < _count; i++)
        {
            var (b, us) = _samples[i];
            if (b > 1.5 * bytes || 1.5 * b < bytes || us >= fastest.Us) continue;
            fastest = (b, us);
        }
        return fastest;
    }
}
