using System.Collections.Concurrent;
using System.Diagnostics;
using CathLab.LiveFeed.Frames;

namespace CathLab.LiveFeed.Tests.Support;

/// <summary>Stands in for acquisition: publishes the simulator's frames at a fixed rate on its own thread,
/// handing each to a stand-in recorder (which must get every frame) and to the live feed (which may drop).</summary>
internal sealed class FramePump : IDisposable
{
    private readonly LiveFeedHub _hub;
    private readonly SimulatedFrameSet _frames;
    private readonly double _fps;
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _longestPublishTicks;

    public FramePump(LiveFeedHub hub, SimulatedFrameSet frames, double fps, CountingRecorder? recorder = null)
    {
        _hub = hub;
        _frames = frames;
        _fps = fps;
        Recorder = recorder;
        _thread = new Thread(Run) { IsBackground = true, Name = "test acquisition" };
    }

    public CountingRecorder? Recorder { get; }

    public long Published { get; private set; }

    public long Accepted { get; private set; }

    public TimeSpan LongestPublish => TimeSpan.FromTicks(Interlocked.Read(ref _longestPublishTicks) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);

    public FramePump Start()
    {
        _thread.Start();
        return this;
    }

    private void Run()
    {
        var clock = Stopwatch.StartNew();
        long n = 0;
        while (!_stop)
        {
            double due = n / _fps;
            double wait = due - clock.Elapsed.TotalSeconds;
            if (wait > 0.002) Thread.Sleep(TimeSpan.FromSeconds(wait - 0.001));
            else if (wait > 0) Thread.SpinWait(100);
            if (clock.Elapsed.TotalSeconds < due) continue;
            int i = (int)(n % _frames.Count);
            var info = LiveFrameInfo.Square(n, _frames.Side, 14);
            Recorder?.Add(n);
            long t0 = Stopwatch.GetTimestamp();
            if (_hub.PublishFrame(info, _frames.Raw[i], _frames.Display[i])) Accepted++;
            long took = Stopwatch.GetTimestamp() - t0;
            if (took > _longestPublishTicks) Interlocked.Exchange(ref _longestPublishTicks, took);
            Published = ++n;
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join(TimeSpan.FromSeconds(10));
    }
}

/// <summary>A stand-in for the recorder: its own bounded queue and consumer thread, counting frames in order.</summary>
internal sealed class CountingRecorder : IDisposable
{
    private readonly BlockingCollection<long> _queue = new(new ConcurrentQueue<long>(), 1024);
    private readonly Thread _thread;
    private long _received;
    private long _outOfOrder;
    private long _overflow;

    public CountingRecorder()
    {
        _thread = new Thread(() =>
        {
            long expected = 0;
            foreach (var n in _queue.GetConsumingEnumerable())
            {
                if (n != expected) Interlocked.Increment(ref _outOfOrder);
                expected = n + 1;
                Interlocked.Increment(ref _received);
            }
        }) { IsBackground = true, Name = "stand-in recorder" };
        _thread.Start();
    }

    public long Received => Interlocked.Read(ref _received);

    public long OutOfOrder => Interlocked.Read(ref _outOfOrder);

    public long Overflow => Interlocked.Read(ref _overflow);

    public void Add(long frameNumber)
    {
        if (!_queue.TryAdd(frameNumber)) Interlocked.Increment(ref _overflow);
    }

    /// <summary>Waits until the queue is drained.</summary>
    public void Finish()
    {
        _queue.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(30));
    }

    public void Dispose()
    {
        if (!_queue.IsAddingCompleted) Finish();
        _queue.Dispose();
    }
}
