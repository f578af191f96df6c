using System.Runtime.InteropServices;

namespace CathLab.LiveFeed.Frames;

/// <summary>Puts the calling thread in Linux's SCHED_BATCH class: same CPU share, but waking it never preempts
/// the running thread. The encoder is woken by <c>PublishFrame</c> on the processing thread; as an ordinary thread
/// (long asleep, so owed CPU) it preempted the processing thread at that very moment, which is how a 0.3 ms
/// PublishFrame took several ms of wall time on a busy machine. Best effort: elsewhere, or if refused, nothing changes.</summary>
internal static partial class BatchScheduling
{
    private const int SchedBatch = 3;

    private const int PrioProcess = 0;

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SetScheduler(int threadId, int policy, ref int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int niceness);

    /// <summary>True when the calling thread is now SCHED_BATCH. A <paramref name="niceness"/> above 0 also gives it a
    /// smaller CPU share than the live path's threads (Linux applies a niceness set for a thread id to that thread alone).</summary>
    public static bool ApplyToCurrentThread(int niceness = 0)
    {
        if (!OperatingSystem.IsLinux()) return false;
        int priority = 0; // struct sched_param { int sched_priority; }: 0 for the non-real-time classes
        try
        {
            if (niceness > 0) SetPriority(PrioProcess, GetThreadId(), niceness);
            return SetScheduler(0, SchedBatch, ref priority) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
