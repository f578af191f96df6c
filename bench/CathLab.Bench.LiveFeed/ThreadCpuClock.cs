using System.Runtime.InteropServices;

namespace CathLab.Bench.LiveFeed;

/// <summary>The calling thread's CPU time (Linux CLOCK_THREAD_CPUTIME_ID): set against wall time it tells work
/// done in a call from time the thread spent descheduled or suspended.</summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxRss, SharedRss, DataRss, StackRss, MinorFaults, MajorFaults;
        public long Swaps, BlocksIn, BlocksOut, MessagesSent, MessagesReceived, Signals, VoluntarySwitches, InvoluntarySwitches;
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetResourceUsage(int who, out ResourceUsage usage);

    /// <summary>The calling thread's system CPU time (µs), minor page faults and involuntary context switches so far.</summary>
    public static (long SystemUs, long MinorFaults, long Preempted) Usage() =>
        GetResourceUsage(1, out var u) == 0 ? (u.SystemSeconds * 1_000_000 + u.SystemMicroseconds, u.MinorFaults, u.InvoluntarySwitches) : default;

    public static long NowNanoseconds() => ClockGetTime(ClockThreadCpuTimeId, out var t) == 0 ? t.Seconds * 1_000_000_000 + t.Nanoseconds : 0;
}
