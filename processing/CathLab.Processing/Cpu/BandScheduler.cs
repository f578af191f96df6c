namespace CathLab.Processing.Cpu;

/// <summary>One pass over a frame, split into horizontal bands of rows.</summary>
internal abstract class BandJob
{
    /// <summary>Processes rows [<paramref name="y0"/>, <paramref name="y1"/>); <paramref name="band"/> picks per-band scratch.</summary>
    public abstract void Execute(int band, int y0, int y1);
}

/// <summary>Runs a <see cref="BandJob"/> over equal bands of rows: band 0 on the calling thread, each other
/// band on a long-lived worker thread woken per pass, so a pass allocates nothing (Parallel.For would).
/// A band whose worker has not started by the time the caller is free is taken over by the caller, so a
/// descheduled worker on a busy machine costs at most its band's time, never a wait for the scheduler.</summary>
internal sealed class BandScheduler : IDisposable
{
    private const int Unclaimed = 0, ClaimedByWorker = 1, ClaimedByCaller = 2;

    private readonly Thread[] _workers;
    private readonly AutoResetEvent[] _start;
    private readonly long[] _workerAllocated;
    private readonly int[] _claims;
    private readonly int[] _done;
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
        _claims = new int[bands];
        _done = new int[bands];
        for (int i = 0; i < _workers.Length; i++)
        {
            int band = i + 1;
            _claims[band] = ClaimedByCaller;
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
        for (int band = 1; band < Bands; band++)
        {
            Volatile.Write(ref _done[band], 0);
            Volatile.Write(ref _claims[band], Unclaimed);
        }
        for (int i = 0; i < _workers.Length; i++) _start[i].Set();
        Exception? own = null;
        try
        {
            var (y0, y1) = Range(0, Bands, rows);
            job.Execute(0, y0, y1);
            for (int band = 1; band < Bands; band++)
                if (Interlocked.CompareExchange(ref _claims[band], ClaimedByCaller, Unclaimed) == Unclaimed)
                {
                    var (b0, b1) = Range(band, Bands, rows);
                    job.Execute(band, b0, b1);
                }
        }
        catch (Exception e) { own = e; }
        for (int band = 1; band < Bands; band++)
        {
            if (Volatile.Read(ref _claims[band]) != ClaimedByWorker) continue;
            var spinner = new SpinWait();
            while (Volatile.Read(ref _done[band]) == 0) spinner.SpinOnce(sleep1Threshold: -1);
        }
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
            // A late wake-up finds its band already taken (this pass, or a finished one) and goes back to sleep.
            if (Interlocked.CompareExchange(ref _claims[band], ClaimedByWorker, Unclaimed) != Unclaimed) continue;
            try
            {
                var (y0, y1) = Range(band, Bands, _rows);
                _job!.Execute(band, y0, y1);
            }
            catch (Exception e) { _failure = e; }
            finally
            {
                _workerAllocated[band - 1] = GC.GetAllocatedBytesForCurrentThread();
                Volatile.Write(ref _done[band], 1);
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
