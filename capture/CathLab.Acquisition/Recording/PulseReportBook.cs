using System.Diagnostics;
using CathLab.FirmwareBridge.Link;
using CathLab.Wire.Generator;

namespace CathLab.Acquisition.Recording;

/// <summary>What the generator reported for one delivered pulse, and when the station received the report
/// (<see cref="Stopwatch"/> ticks).</summary>
public readonly record struct PulseReport(uint PulseId, ulong TimestampMicroseconds, ExposureKind Kind, Technique Technique, uint AirKermaNanoGray, long ReceivedTicks)
{
    public double AirKermaMilliGray => AirKermaNanoGray / 1e6;
}

/// <summary>
/// Keeps the generator's most recent pulse reports in a fixed ring, indexed by pulse id, so the recorder can find the
/// report for a frame's pulse. Nothing is allocated per pulse. Reports travel over the serial link and frames over the
/// frame link, so a frame may arrive before its report: <see cref="WaitFor"/> blocks the caller briefly until it comes.
/// A report older than the ring's capacity is gone (the recorder has fallen that many pulses behind) and is reported
/// as such, never confused with a newer pulse. Thread-safe: one writer (the link's reader thread), any readers.
/// </summary>
public sealed class PulseReportBook : IDisposable
{
    public const int DefaultCapacity = 1024;

    private readonly object _gate = new();
    private readonly PulseReport[] _ring;
    private readonly bool[] _filled;
    private IGeneratorLinkStatus? _link;
    private uint _newest;
    private bool _any;
    private int _waiters;
    private long _received;

    public PulseReportBook(int capacity = DefaultCapacity)
    {
        if (capacity < 16) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a pulse report book holds at least 16 reports");
        _ring = new PulseReport[capacity];
        _filled = new bool[capacity];
    }

    /// <summary>A book that records every pulse <paramref name="link"/> reports until it is disposed.</summary>
    public static PulseReportBook Listen(IGeneratorLinkStatus link, int capacity = DefaultCapacity)
    {
        var book = new PulseReportBook(capacity) { _link = link };
        link.EventReceived += book.Observe;
        return book;
    }

    public int Capacity => _ring.Length;

    /// <summary>Pulse reports received since the book was made (a running count; the recorder compares two readings).</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Takes one generator event; only Pulse events are kept.</summary>
    public void Observe(GeneratorEvent e)
    {
        if (e is PulseEvent pulse) Add(pulse.PulseId, pulse.TimestampMicroseconds, pulse.Kind, pulse.Technique, pulse.AirKermaNanoGray);
    }

    public void Add(uint pulseId, ulong timestampMicroseconds, ExposureKind kind, Technique technique, uint airKermaNanoGray)
    {
        var report = new PulseReport(pulseId, timestampMicroseconds, kind, technique, airKermaNanoGray, Stopwatch.GetTimestamp());
        lock (_gate)
        {
            // Pulse ids only grow; an id that does not is a generator that restarted its count: old reports are void.
            if (_any && (int)(pulseId - _newest) <= 0) Array.Clear(_filled);
            int slot = (int)(pulseId % (uint)_ring.Length);
            _ring[slot] = report;
            _filled[slot] = true;
            _newest = pulseId;
            _any = true;
            _received++;
            if (_waiters > 0) Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The report of <paramref name="pulseId"/> if it is in the book now.</summary>
    public bool TryFind(uint pulseId, out PulseReport report)
    {
        lock (_gate) return Lookup(pulseId, out report) == Found.Yes;
    }

    /// <summary>The report of <paramref name="pulseId"/>, waiting up to <paramref name="timeout"/> for it to arrive.
    /// Returns false with a reason when it did not come, or when it has already left the ring.</summary>
    public bool WaitFor(uint pulseId, TimeSpan timeout, out PulseReport report, out string? missing)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        lock (_gate)
        {
            while (true)
            {
                switch (Lookup(pulseId, out report))
                {
                    case Found.Yes:
                        missing = null;
                        return true;
                    case Found.Evicted:
                        missing = $"the report of pulse {pulseId} has left the book (more than {_ring.Length} newer pulses reported)";
                        return false;
                    case Found.Skipped:
                        missing = $"the generator reported pulses up to {_newest} but never pulse {pulseId}";
                        return false;
                }
                long left = deadline - Stopwatch.GetTimestamp();
                if (left <= 0)
                {
                    missing = $"the generator did not report pulse {pulseId} within {timeout.TotalMilliseconds:0} ms of its frame";
                    return false;
                }
                _waiters++;
                try
                {
                    Monitor.Wait(_gate, TimeSpan.FromSeconds((double)left / Stopwatch.Frequency));
                }
                finally
                {
                    _waiters--;
                }
            }
        }
    }

    private enum Found { Yes, NotYet, Evicted, Skipped }

    private Found Lookup(uint pulseId, out PulseReport report)
    {
        int slot = (int)(pulseId % (uint)_ring.Length);
        report = _ring[slot];
        if (_filled[slot] && report.PulseId == pulseId) return Found.Yes;
        report = default;
        if (!_any || (int)(pulseId - _newest) > 0) return Found.NotYet;
        // An id behind the newest whose slot holds another pulse: overwritten by a newer one, or never reported while the
        // ones after it were (the link delivers events in the generator's order); either way it will not come now.
        return (int)(_newest - pulseId) >= _ring.Length ? Found.Evicted : Found.Skipped;
    }

    public void Dispose()
    {
        if (_link is { } link) link.EventReceived -= Observe;
        _link = null;
    }
}
