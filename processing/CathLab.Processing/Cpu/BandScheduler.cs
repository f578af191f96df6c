namespace CathLab.Processing.Cpu;

/// <summary>One pass over a frame, split into horizontal bands of rows.</summary>
internal abstract class BandJob
{
    /// <summary>Processes rows [<paramref name="y0"/>, <paramref name="y1"/>); <paramref name="band"/> picks per-band scratch.</summary>
    public abstract void Execute(int band, int y0, int y1);
}

/// <summary>Runs a <see cref="BandJob"/> on the calling thread plus long-lived worker threads, one band
/// each. Workers are started once and woken per pass, so a pass allocates nothing (Parallel.For would).</summary>
internal sealed class BandScheduler : IDisposable
{
    private readonly Thread[] _workers;
    private readonly SemaphoreSlim[] _start;
    private readonly ManualResetEventSlim[] _done;
    private BandJob? _job;
    private int _rows;
    private volatile bool _stopping;
    private Exception? _failure;

    public BandScheduler(int bands)
    {
        if (bands < 1 || bands > 64) throw new ArgumentOutOfRangeException(nameof(bands), bands, "band count must be in [1, 64]");
        Bands = bands;
        _workers = new Thread[bands - 1];
        _start = new SemaphoreSlim[bands - 1];
        _done = new ManualResetEventSlim[bands - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            int band = i + 1;
            _start[i] = new SemaphoreSlim(0);
            _done[i] = new ManualResetEventSlim(false, spinCount: 2000);
            _workers[i] = new Thread(() => WorkerLoop(band)) { IsBackground = true, Name = $"cathlab-processing-band{band}" };
            _workers[i].Start();
        }
    }

    public int Bands { get; }

    /// <summary>Band boundaries fall on multiples of 4 rows so the 4x downscale never straddles two bands.</summary>
    public static (int Y0, int Y1) Range(int band, int bands, int rows) =>
        (band * (rows / 4) / bands * 4, (band + 1) * (rows / 4) / bands * 4);

    public void Run(BandJob job, int rows)
    {
        _job = job;
        _rows = rows;
        _failure = null;
        for (int i = 0; i < _workers.Length; i++)
        {
            _done[i].Reset();
            _start[i].Release();
        }
        var (y0, y1) = Range(0, Bands, rows);
        Exception? own = null;
        try { job.Execute(0, y0, y1); }
        catch (Exception e) { own = e; }
        for (int i = 0; i < _workers.Length; i++) _done[i].Wait();
        _job = null;
        if (own is not null) throw own;
        if (_failure is not null) throw new InvalidOperationException("a processing band failed", _failure);
    }

    private void WorkerLoop(int band)
    {
        var start = _start[band - 1];
        var done = _done[band - 1];
        while (true)
        {
            start.Wait();
            if (_stopping) return;
            try
            {
                var (y0, y1) = Range(band, Bands, _rows);
                _job!.Execute(band, y0, y1);
            }
            catch (Exception e) { _failure = e; }
            finally { done.Set(); }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var s in _start) s.Release();
        foreach (var w in _workers) w.Join();
        foreach (var s in _start) s.Dispose();
        foreach (var d in _done) d.Dispose();
    }
}
