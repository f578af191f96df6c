using CathLab.Processing.Display;
using CathLab.Processing.Pipeline;

namespace CathLab.Processing.Cpu;

/// <summary>A whole frame in one pass over each band of rows, every stage a few rows behind the one
/// before, so a row is produced and consumed while it is still in cache: per-pixel pass (row p),
/// defect fix (row p - Down), smoothing (one row later), unsharp + display (the box radius later) and
/// the downscale (each finished block of display rows).
/// <para>A band never reads rows another band writes in the same pass: near band boundaries the rows whose
/// defect neighbours, smoothing or box reach into the next band are left to <see cref="Finish"/>, which
/// the caller runs after the bands, in stage order (a few rows per boundary).</para></summary>
internal sealed class FusedFramePass : BandJob
{
    private const int Fix = 0, Smooth = 1, Show = 2, Stages = 3;

    private readonly int _height;
    private readonly ushort[] _first;
    private readonly PixelPass _pixel;
    private readonly SmoothingPass _smoothing;
    private readonly DisplayPass _display;
    private readonly DownscalePass _downscale;
    private readonly int[] _lo;
    private readonly int[] _hi;
    private readonly int _bands;
    private DefectRows? _defects;
    private bool _smooth;
    private int _factor;
    private int _reach;
    private float _max;

    public FusedFramePass(int height, int bands, ushort[] first, PixelPass pixel, SmoothingPass smoothing, DisplayPass display, DownscalePass downscale)
    {
        _height = height;
        _bands = bands;
        _first = first;
        _pixel = pixel;
        _smoothing = smoothing;
        _display = display;
        _downscale = downscale;
        _lo = new int[bands * Stages];
        _hi = new int[bands * Stages];
    }

    public void SetDefects(DefectRows? defects) => _defects = defects;

    private int Up => _defects?.Up ?? 0;

    private int Down => _defects?.Down ?? 0;

    /// <summary>After the stages' own Prepare: works out which rows each band does in the pass.</summary>
    public void Prepare(in ChainConstants k)
    {
        _smooth = k.Smooth;
        _factor = k.Format == OutputFormat.Gray8 ? k.DownscaleFactor : 1;
        _reach = _display.Reach;
        _max = k.MaxValue;
        int lag = _smooth ? 1 : 0;
        for (int b = 0; b < _bands; b++)
        {
            var (y0, y1) = BandScheduler.Range(b, _bands, _height);
            bool first = b == 0, last = b == _bands - 1;
            Set(b, Fix, first ? y0 : y0 + Up, last ? y1 : y1 - Down, y1);
            Set(b, Smooth, first ? Lo(b, Fix) : Lo(b, Fix) + lag, last ? Hi(b, Fix) : Hi(b, Fix) - lag, Hi(b, Fix));
            Set(b, Show, first ? Lo(b, Smooth) : Lo(b, Smooth) + _reach, last ? Hi(b, Smooth) : Hi(b, Smooth) - _reach, Hi(b, Smooth));
        }
    }

    private void Set(int band, int stage, int lo, int hi, int limit)
    {
        lo = Math.Min(lo, limit);
        _lo[band * Stages + stage] = lo;
        _hi[band * Stages + stage] = Math.Clamp(hi, lo, limit);
    }

    private int Lo(int band, int stage) => _lo[band * Stages + stage];

    private int Hi(int band, int stage) => _hi[band * Stages + stage];

    private bool Inside(int band, int stage, int row) => row >= Lo(band, stage) && row < Hi(band, stage);

    public override void Execute(int band, int y0, int y1)
    {
        int lag = _smooth ? 1 : 0, down = Down;
        int end = y1 - 1 + down + lag + _reach;
        for (int v = y0; v <= end; v++)
        {
            if (v < y1) _pixel.Rows(v, v + 1);
            int t = v - down;
            if (Inside(band, Fix, t)) _defects?.Apply(t, t + 1, _first, _max);
            int s = t - lag;
            if (_smooth && Inside(band, Smooth, s)) _smoothing.Rows(s, s + 1);
            int y = s - _reach;
            if (Inside(band, Show, y))
            {
                _display.Row(band, y);
                int next = y + 1;
                if (_factor > 1 && next % _factor == 0 && next - _factor >= Lo(band, Show)) _downscale.Rows(next - _factor, next);
            }
        }
    }

    /// <summary>The rows the bands left, stage by stage, on the calling thread (band 0's scratch: band 0 is done).</summary>
    public void Finish()
    {
        for (int stage = Fix; stage < Stages; stage++)
        {
            if (stage == Smooth && !_smooth) continue;
            int cursor = 0;
            for (int b = 0; b <= _bands; b++)
            {
                int lo = b < _bands ? Lo(b, stage) : _height;
                for (int y = cursor; y < lo; y++) Stage(stage, y);
                if (b < _bands) cursor = Math.Max(cursor, Hi(b, stage));
            }
        }
        if (_factor == 1) return;
        int blockCursor = 0;
        for (int b = 0; b <= _bands; b++)
        {
            // Blocks a band made: those wholly inside its display rows.
            int first = b < _bands ? (Lo(b, Show) + _factor - 1) / _factor : _height / _factor;
            int last = b < _bands ? Hi(b, Show) / _factor : first;
            if (first > blockCursor) _downscale.Rows(blockCursor * _factor, first * _factor);
            blockCursor = Math.Max(blockCursor, Math.Max(first, last));
        }
    }

    private void Stage(int stage, int y)
    {
        switch (stage)
        {
            case Fix: _defects?.Apply(y, y + 1, _first, _max); break;
            case Smooth: _smoothing.Rows(y, y + 1); break;
            default: _display.Row(0, y); break;
        }
    }
}
