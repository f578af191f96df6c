using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CathLab.Processing.Display;
using CathLab.Processing.Pipeline;

namespace CathLab.Processing.Cpu;

/// <summary>Unsharp mask fused with window/level (or the 16-bit LUT): one streaming pass per band that
/// keeps running column sums over the box's rows, so each source row is read once entering the box and
/// once leaving it. Integer box sums make the blur exact; the rest mirrors Kernels/display.cl.</summary>
internal sealed unsafe class DisplayPass : BandJob
{
    private readonly int _width;
    private readonly int _height;
    private readonly int[][] _columnSums;
    private readonly int[][] _boxSums;
    private readonly int[] _nextRow;
    private ushort[] _source = [];
    private byte* _output;
    private ushort[] _lut = [];
    private ChainConstants _k;

    public DisplayPass(int width, int height, int bands)
    {
        _width = width;
        _height = height;
        _columnSums = new int[bands][];
        _boxSums = new int[bands][];
        _nextRow = new int[bands];
        for (int b = 0; b < bands; b++)
        {
            _columnSums[b] = new int[width + 2 * Filters.UnsharpMaskSettings.MaxKernel + 8];
            _boxSums[b] = new int[width];
        }
    }

    public void Prepare(ushort[] source, byte* output, ushort[]? lut, in ChainConstants k)
    {
        _source = source;
        _output = output;
        _lut = lut ?? [];
        _k = k;
        Array.Fill(_nextRow, -1);
    }

    /// <summary>Rows of the source above and below a display row that the display row reads.</summary>
    public int Reach => _k.UnsharpGain != 0f ? _k.BoxRadius : 0;

    public override void Execute(int band, int y0, int y1)
    {
        for (int y = y0; y < y1; y++) Row(band, y);
    }

    /// <summary>Display row <paramref name="y"/>, with <paramref name="band"/>'s scratch: the box's column sums
    /// slide down one row when <paramref name="y"/> follows the band's previous row, else start afresh.</summary>
    public void Row(int band, int y)
    {
        bool sharpen = _k.UnsharpGain != 0f;
        var columns = _columnSums[band];
        var box = _boxSums[band];
        int r = _k.BoxRadius;
        if (sharpen)
        {
            if (_nextRow[band] != y)
            {
                Array.Clear(columns);
                for (int dy = -r; dy <= r; dy++) AddRow(columns, Math.Clamp(y + dy, 0, _height - 1), r, +1);
            }
            else
            {
                AddRow(columns, Math.Min(y + r, _height - 1), r, +1);
                AddRow(columns, Math.Max(y - r - 1, 0), r, -1);
            }
            HorizontalSums(columns, box, r);
        }
        _nextRow[band] = y + 1;
        if (_k.Format == OutputFormat.Gray8) Gray8Row(y, box, sharpen);
        else Lut16Row(y, box, sharpen);
    }

    // columns[r + x] holds the sum over the box's rows of column x; the r cells each side replicate the edges.
    private void AddRow(int[] columns, int row, int r, int sign)
    {
        ref ushort src = ref _source[row * _width];
        ref int dst = ref columns[r];
        for (int x = 0; x < _width; x += 16)
        {
            var v = Vector256.LoadUnsafe(ref src, (nuint)x);
            var lo = Vector256.WidenLower(v).AsInt32();
            var hi = Vector256.WidenUpper(v).AsInt32();
            var a = Vector256.LoadUnsafe(ref dst, (nuint)x);
            var b = Vector256.LoadUnsafe(ref dst, (nuint)(x + 8));
            if (sign > 0) { a += lo; b += hi; } else { a -= lo; b -= hi; }
            a.StoreUnsafe(ref dst, (nuint)x);
            b.StoreUnsafe(ref dst, (nuint)(x + 8));
        }
    }

    private void HorizontalSums(int[] columns, int[] box, int r)
    {
        int first = columns[r], last = columns[r + _width - 1];
        for (int p = 0; p < r; p++)
        {
            columns[p] = first;
            columns[r + _width + p] = last;
        }
        ref int c = ref columns[0];
        ref int dst = ref box[0];
        int taps = 2 * r + 1;
        for (int x = 0; x < _width; x += 8)
        {
            var sum = Vector256.LoadUnsafe(ref c, (nuint)x);
            for (int t = 1; t < taps; t++) sum += Vector256.LoadUnsafe(ref c, (nuint)(x + t));
            sum.StoreUnsafe(ref dst, (nuint)x);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> Enhanced(Vector256<float> x, ref int box, int offset, bool sharpen)
    {
        if (!sharpen) return x;
        var blur = Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref box, (nuint)offset)) * Vector256.Create(_k.InverseBoxArea);
        return x + Vector256.Create(_k.UnsharpGain) * (x - blur);
    }

    private void Gray8Row(int y, int[] box, bool sharpen)
    {
        ref ushort src = ref _source[y * _width];
        byte* dst = _output + (long)y * _width;
        ref int b = ref box[0];
        var low = Vector256.Create(_k.WindowLow);
        var scale = Vector256.Create(_k.WindowScale);
        var top = Vector256.Create(255f);
        var half = Vector256.Create(0.5f);
        for (int x = 0; x < _width; x += 16)
        {
            var v = Vector256.LoadUnsafe(ref src, (nuint)x);
            var e0 = Enhanced(Vector256.ConvertToSingle(Vector256.WidenLower(v).AsInt32()), ref b, x, sharpen);
            var e1 = Enhanced(Vector256.ConvertToSingle(Vector256.WidenUpper(v).AsInt32()), ref b, x + 8, sharpen);
            var i0 = Vector256.ConvertToInt32Native(Vector256.Min(Vector256.Max((e0 - low) * scale, Vector256<float>.Zero), top) + half);
            var i1 = Vector256.ConvertToInt32Native(Vector256.Min(Vector256.Max((e1 - low) * scale, Vector256<float>.Zero), top) + half);
            var words = Vector256.Narrow(i0.AsUInt32(), i1.AsUInt32());
            Vector128.Narrow(words.GetLower(), words.GetUpper()).Store(dst + x);
        }
    }

    private void Lut16Row(int y, int[] box, bool sharpen)
    {
        ref ushort src = ref _source[y * _width];
        ushort* dst = (ushort*)_output + (long)y * _width;
        ref int b = ref box[0];
        var top = Vector256.Create(65535f);
        var half = Vector256.Create(0.5f);
        var lut = _lut;
        for (int x = 0; x < _width; x += 16)
        {
            var v = Vector256.LoadUnsafe(ref src, (nuint)x);
            var e0 = Enhanced(Vector256.ConvertToSingle(Vector256.WidenLower(v).AsInt32()), ref b, x, sharpen);
            var e1 = Enhanced(Vector256.ConvertToSingle(Vector256.WidenUpper(v).AsInt32()), ref b, x + 8, sharpen);
            var i0 = Vector256.ConvertToInt32Native(Vector256.Min(Vector256.Max(e0, Vector256<float>.Zero), top) + half);
            var i1 = Vector256.ConvertToInt32Native(Vector256.Min(Vector256.Max(e1, Vector256<float>.Zero), top) + half);
            for (int j = 0; j < 8; j++)
            {
                dst[x + j] = lut[i0.GetElement(j)];
                dst[x + 8 + j] = lut[i1.GetElement(j)];
            }
        }
    }
}
