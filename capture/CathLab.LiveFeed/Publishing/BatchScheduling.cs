using System.Runtime.InteropServices;

namespace CathLab.LiveFeed.Publishing;

/// <summary>Puts the calling thread in Linux's SCHED_BATCH class: same CPU share, but waking it never preempts
/// the running thread. The encoder is woken by <c>PublishFrame</c> on the processing thread; as an ordinary thread
/// (long asleep, so owed CPU) it preempted the processing thread at that very moment, which is how a 0.3 ms
/// PublishFrame took several ms of wall time on a busy machine. Best effort: elsewhere, or if refused, nothing changes.</summary>
internal static partial class BatchScheduling
{
    private const int SchedBatch = 3;

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SetScheduler(int threadId, int policy, ref int priority);

    /// <summary>True when the calling thread is now SCHED_BATCH.</summary>
    public static bool ApplyToCurrentThread()
    {
        if (!OperatingSystem.IsLinux()) return false;
        int priority = 0; // struct sched_param { int sched_priority; }: 0 for the non-real-time classes
        try
        {
            return SetScheduler(0, SchedBatch, ref priority) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
