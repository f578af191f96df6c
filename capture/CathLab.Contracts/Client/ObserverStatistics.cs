using CathLab.LiveFeed.Protocol;

namespace CathLab.Contracts.Client;

/// <summary>What an observer has received so far; updated by the receiving loop, read from anywhere.</summary>
public sealed class ObserverStatistics
{
    private readonly object _gate = new();
    private readonly List<double> _latenciesMs = [];
    private readonly bool _keepLatencies;
    private long _windowStartUs;
    private int _windowFrames;

    public ObserverStatistics(bool keepLatencies) => _keepLatencies = keepLatencies;

    /// <summary>Frames received, not counting the last-image holds (each repeats a frame already counted).</summary>
    public long Frames { get; private set; }

    /// <summary>Last-image holds received (LiveFrame.last_image_hold).</summary>
    public long HeldFrames { get; private set; }

    /// <summary>Frames the server chose not to send this observer (its level's frame rate or its cap).</summary>
    public long SkippedReported { get; private set; }

    public long Bytes { get; private set; }

    public long Events { get; private set; }

    public double LastLatencyMs { get; private set; }

    public double FramesPerSecond { get; private set; }

    public Tier Tier { get; private set; }

    /// <summary>The observer's level, from its frames other than probes.</summary>
    public int Level { get; private set; } = -1;

    /// <summary>Probe frames received (sent one level up to measure the link; they leave <see cref="Level"/> as it is).</summary>
    public int Probes { get; private set; }

    public int Width { get; private set; }

    /// <summary>Frames the server says this observer lost (its queue or link was behind).</summary>
    public long LostReported { get; private set; }

    public long LostBeforeEncoder { get; private set; }

    public long LastFrameNumber { get; private set; } = -1;

    public IReadOnlyList<double> LatenciesMs()
    {
        lock (_gate) return _latenciesMs.ToArray();
    }

    /// <summary>Every frame, when kept: its arrival time, latency, level, number, and the part of the latency spent
    /// in the station (ready to sent, by the server's clock); for tests and benchmarks that look at a time window.</summary>
    public IReadOnlyList<(long ReceivedUs, double LatencyMs, int Level, long FrameNumber, double StationMs)> Timeline()
    {
        lock (_gate) return _timeline.ToArray();
    }

    private readonly List<(long, double, int, long, double)> _timeline = [];

    internal void OnFrame(LiveFrame frame, long receivedUs)
    {
        lock (_gate)
        {
            Bytes += frame.Data.Length;
            if (frame.LastImageHold)
            {
                HeldFrames++;
                return;
            }
            Frames++;
            LastLatencyMs = (receivedUs - frame.ReadyUnixUs) / 1000.0;
            if (frame.Probe) Probes++;
            else
            {
                Tier = frame.Tier;
                Level = (int)frame.Level;
                Width = (int)frame.Width;
            }
            LastFrameNumber = (long)frame.FrameNumber;
            if (_keepLatencies)
            {
                _latenciesMs.Add(LastLatencyMs);
                _timeline.Add((receivedUs, LastLatencyMs, Level, LastFrameNumber, (frame.SentUnixUs - frame.ReadyUnixUs) / 1000.0));
            }
            if (_windowStartUs == 0) _windowStartUs = receivedUs;
            _windowFrames++;
            if (receivedUs - _windowStartUs >= 1_000_000)
            {
                FramesPerSecond = _windowFrames * 1e6 / (receivedUs - _windowStartUs);
                _windowStartUs = receivedUs;
                _windowFrames = 0;
            }
        }
    }

    internal void OnNotice(SessionNotice notice)
    {
        lock (_gate)
        {
            LostReported = (long)notice.FramesLost;
            LostBeforeEncoder = (long)notice.FramesLostBeforeEncoder;
            SkippedReported = (long)notice.FramesSkipped;
        }
    }

    internal void OnEvent()
    {
        lock (_gate) Events++;
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return $"frames {Frames,6}  rate {FramesPerSecond,5:F1} fps  latency {LastLatencyMs,6:F0} ms  tier {Tier} ({Width} px, level {Level})  lost {LostReported} (+{LostBeforeEncoder} before encoder)  skipped {SkippedReported}  {Bytes / 1024.0,8:F0} KiB  events {Events}";
        }
    }
}
