using System.Diagnostics;

namespace CathLab.Bench.LiveFeed;

/// <summary>Wall and CPU time of each PublishFrame call, with what the calling thread went through meanwhile:
/// system time and page faults (work done for it by the kernel), preemptions and GCs (time it was stopped).</summary>
internal sealed class PublishTimings
{
    private readonly List<double> _wallMs = [];
    private readonly List<double> _cpuMs = [];

    public long SystemMicroseconds { get; private set; }

    public long MinorFaults { get; private set; }

    public long Preemptions { get; private set; }

    public int CallsWithGc { get; private set; }

    public int Calls => _wallMs.Count;

    public void Time(Action publish)
    {
        int gc = GC.CollectionCount(0);
        var usage = ThreadCpuClock.Usage();
        long cpu = ThreadCpuClock.NowNanoseconds();
        long t = Stopwatch.GetTimestamp();
        publish();
        _wallMs.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        _cpuMs.Add((ThreadCpuClock.NowNanoseconds() - cpu) / 1e6);
        var after = ThreadCpuClock.Usage();
        SystemMicroseconds += after.SystemUs - usage.SystemUs;
        MinorFaults += after.MinorFaults - usage.MinorFaults;
        Preemptions += after.Preempted - usage.Preempted;
        if (GC.CollectionCount(0) != gc) CallsWithGc++;
    }

    public double WallPercentile(double p) => Percentile(_wallMs, p);

    public double CpuPercentile(double p) => Percentile(_cpuMs, p);

    public double WallMax => _wallMs.DefaultIfEmpty().Max();

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }
}
