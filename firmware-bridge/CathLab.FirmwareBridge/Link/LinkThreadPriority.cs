using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace CathLab.FirmwareBridge.Link;

/// <summary>Raises the calling thread (the link's reader or sender) above ordinary work so that busy CPUs do not push an
/// answer or a heartbeat past its window. .NET ignores <see cref="Thread.Priority"/> on Linux, so this asks the kernel
/// directly: real-time round-robin scheduling (SCHED_RR) where the process may (root, or CAP_SYS_NICE / an RLIMIT_RTPRIO
/// granted to the service), else a lower nice value, else nothing (logged once). The threads block between frames, so
/// they take the CPU only for the moments they work.</summary>
internal static class LinkThreadPriority
{
    /// <summary>Real-time priority of the link's threads (1–99): above ordinary work, well below the kernel's own.</summary>
    public const int RealTimePriority = 20;

    private static int s_reported;

    public static void RaiseCurrentThread(ILogger logger)
    {
        if (!OperatingSystem.IsLinux()) return;
        var param = new SchedParam { Priority = RealTimePriority };
        if (sched_setscheduler(0, SCHED_RR, ref param) == 0) return;
        int errno = Marshal.GetLastPInvokeError();
        bool niced = setpriority(PRIO_PROCESS, 0, -10) == 0; // "process" 0 with who 0 is the calling thread on Linux
        if (Interlocked.Exchange(ref s_reported, 1) == 0)
        {
            logger.LogInformation("Generator link threads run {How}: real-time scheduling refused ({Error})",
                niced ? "at nice -10" : "at normal priority", Marshal.GetPInvokeErrorMessage(errno));
        }
    }

    private const int SCHED_RR = 2;
    private const int PRIO_PROCESS = 0;

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority;
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which this project does not allow
    [DllImport("libc", SetLastError = true)] private static extern int sched_setscheduler(int pid, int policy, ref SchedParam param);
    [DllImport("libc", SetLastError = true)] private static extern int setpriority(int which, int who, int prio);
#pragma warning restore SYSLIB1054
}
