using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;

namespace CathLab.FirmwareBridge.Link;

/// <summary>The one dedicated thread that writes commands and heartbeats. It never borrows the thread pool, so a busy or
/// starved pool cannot delay a heartbeat or an ExposeOff: it blocks only on a bounded port write and on its wake-up,
/// whose timeout is the nearest of the heartbeat's and the command's deadlines, so a heartbeat goes out on time however
/// long the command in flight is being retried.</summary>
internal sealed class SendThread(
    HeartbeatLane heartbeat, CommandLane commands, LinkSequence sequence, LinkStatistics statistics, LinkClock clock, LinkTimings timings,
    Func<ReadOnlySpan<byte>, bool> write, Func<bool> heartbeatRunning, Func<TimeSpan> heartbeatPeriod, ILogger logger)
{
    private readonly AutoResetEvent _kick = new(false);
    private readonly byte[] _beatFrame = new byte[GeneratorFrame.Overhead];
    private int _beatLength;
    private Thread? _thread;

    /// <summary>Raised on this thread when the heartbeat went unanswered through every retry.</summary>
    public event Action<string>? GeneratorSilent;

    public void Wake() => _kick.Set();

    public void Start(CancellationToken stop)
    {
        _thread = new Thread(() => Run(stop)) { IsBackground = true, Name = "generator-link sender", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    public void Join(TimeSpan timeout) => _thread?.Join(timeout);

    private void Run(CancellationToken stop)
    {
        LinkThreadPriority.RaiseCurrentThread(logger);
        while (!stop.IsCancellationRequested)
        {
            long now = clock.NowMs;
            ServiceHeartbeat(now);
            commands.Service(now);
            if (stop.IsCancellationRequested) break;
            long deadline = heartbeatRunning() ? heartbeat.NextDeadline(commands.AnswerTimeoutMs) : long.MaxValue;
            deadline = Math.Min(deadline, commands.NextDeadline);
            long wait = Math.Clamp(deadline - clock.NowMs, 0, 1000);
            if (wait > 0) clock.Wait(_kick, wait);
        }
        commands.Close();
    }

    /// <summary>One heartbeat step at <paramref name="now"/> (the thread's loop; tests call it directly).</summary>
    public void ServiceHeartbeat(long now)
    {
        if (!heartbeatRunning())
        {
            heartbeat.Stop();
            return;
        }
        switch (heartbeat.Due(now, (long)heartbeatPeriod().TotalMilliseconds, commands.AnswerTimeoutMs, timings.MaxRetries))
        {
            case HeartbeatStep.SendNew:
                ushort seq = sequence.Next();
                _beatLength = GeneratorFrame.Encode(_beatFrame, seq, MessageType.Heartbeat, []);
                heartbeat.SentNew(seq, now, clock.Timestamp);
                statistics.HeartbeatSent();
                write(_beatFrame.AsSpan(0, _beatLength));
                break;
            case HeartbeatStep.Resend:
                statistics.AnswerTimedOut();
                statistics.HeartbeatSent();
                statistics.Retransmitted();
                write(_beatFrame.AsSpan(0, _beatLength));
                break;
            case HeartbeatStep.GiveUp:
                GeneratorSilent?.Invoke($"no answer to Heartbeat after {timings.MaxRetries} retries");
                break;
        }
    }
}
