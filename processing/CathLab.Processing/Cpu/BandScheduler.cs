namespace CathLab.Processing.Cpu;

/// <summary>One pass over a frame, split into horizontal bands of rows.</summary>
internal abstract class BandJob
{
    /// <summary>Processes rows [<paramref name="y0"/>, <paramref name="y1"/>); <paramref name="band"/> picks per-band scratch.</summary>
    public abstract void Execute(int band, int y0, int y1);
}

/// <summary>Runs a <see cref="BandJob"/> on the calling thread plus long-lived worker threads, one band
/// each. Workers are started once and woken per pass, so a pass allocates nothing (Parallel.For would).
/// The caller waits for the workers by spinning on a counter: the bands are of equal size, so the wait is
/// short, and a blocking wait on an event was seen to allocate under contention.</summary>
internal sealed class BandScheduler : IDisposable
{
    private readonly Thread[] _workers;
    private readonly AutoResetEvent[] _start;
    private readonly long[] _workerAllocated;
    private int _pending;
    private BandJob? _job;
    private int _rows;
    private volatile bool _stopping;
    private Exception? _failure;

    public BandScheduler(int bands)
    {
        if (bands < 1 || bands > 64) throw new ArgumentOutOfRangeException(nameof(bands), bands, "band count must be in [1, 64]");
        Bands = bands;
        _workers = new Thread[bands - 1];
        _start = new AutoResetEvent[bands - 1];
        _workerAllocated = new long[bands - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            int band = i + 1;
            _start[i] = new AutoResetEvent(false);
            _workers[i] = new Thread(() => WorkerLoop(band)) { IsBackground = true, Name = $"cathlab-processing-band{band}" };
            _workers[i].Start();
        }
    }

    public int Bands { get; }

    /// <summary>Bytes allocated so far by the worker threads (as of their last pass): lets tests show a pass allocates nothing.</summary>
    public long WorkerAllocatedBytes
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _workerAllocated.Length; i++) sum += Volatile.Read(ref _workerAllocated[i]);
            return sum;
        }
    }

    /// <summary>Band boundaries fall on multiples of 4 rows so the 4x downscale never straddles two bands.</summary>
    public static (int Y0, int Y1) Range(int band, int bands, int rows) =>
        (band * (rows / 4) / bands * 4, (band + 1) * (rows / 4) / bands * 4);

    public void Run(BandJob job, int rows)
    {
        _job = job;
        _rows = rows;
        _failure = null;
        Volatile.Write(ref _pending, _workers.Length);
        for (int i = 0; i < _workers.Length; i++) _start[i].Set();
        var (y0, y1) = Range(0, Bands, rows);
        Exception? own = null;
        try { job.Execute(0, y0, y1); }
        catch (Exception e) { own = e; }
        var spinner = new SpinWait();
        while (Volatile.Read(ref _pending) != 0) spinner.SpinOnce(sleep1Threshold: -1);
        _job = null;
        if (own is not null) throw own;
        if (_failure is not null) throw new InvalidOperationException("a processing band failed", _failure);
    }

    private void WorkerLoop(int band)
    {
        var start = _start[band - 1];
        while (true)
        {
            start.WaitOne();
            if (_stopping) return;
            try
            {
                var (y0, y1) = Range(band, Bands, _rows);
                _job!.Execute(band, y0, y1);
            }
            catch (Exception e) { _failure = e; }
            finally
            {
                _workerAllocated[band - 1] = GC.GetAllocatedBytesForCurrentThread();
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var s in _start) s.Set();
        foreach (var w in _workers) w.Join();
        foreach (var s in _start) s.Dispose();
    }
}
