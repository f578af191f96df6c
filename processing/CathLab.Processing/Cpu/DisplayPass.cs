using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CathLab.Processing.Display;
using CathLab.Processing.Pipeline;

namespace CathLab.Processing.Cpu;

/// <summary>Unsharp mask fused with window/level (or the 16-bit LUT): one streaming pass per band that
/// keeps running column sums over the box's rows, so each source row is read once entering the box and
/// once leaving it. Integer box sums make the blur exact; the rest mirrors Kernels/display.cl.
/// <para>The horizontal box sum is a difference of running sums along the row (<see cref="BoxPrefix"/>),
/// so its cost does not grow with the kernel size. 512-bit vectors where the CPU has them, else 256-bit;
/// both give the same bytes.</para></summary>
internal sealed unsafe class DisplayPass : BandJob
{
    private readonly int _width;
    private readonly int _height;
    private readonly bool _wide;
    private readonly int[][] _columnSums;
    private readonly int[][] _prefixes;
    private readonly int[] _nextRow;
    private ushort[] _source = [];
    private byte* _output;
    private ushort[] _lut = [];
    private ushort[] _gatherLut = [];
    private ushort[]? _gatherLutSource;
    private ChainConstants _k;

    public DisplayPass(int width, int height, int bands)
        : this(width, height, bands, Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
    {
    }

    /// <param name="wide">512-bit vectors (needs AVX-512F); false forces the 256-bit code.</param>
    internal DisplayPass(int width, int height, int bands, bool wide)
    {
        if (wide && !Avx512F.IsSupported) throw new PlatformNotSupportedException("512-bit display pass needs AVX-512F");
        _width = width;
        _height = height;
        _wide = wide;
        _columnSums = new int[bands][];
        _prefixes = new int[bands][];
        _nextRow = new int[bands];
        for (int b = 0; b < bands; b++)
        {
            _columnSums[b] = new int[width];
            _prefixes[b] = new int[BoxPrefix.Length(width)];
        }
    }

    /// <summary>Whether this pass runs 512-bit vectors.</summary>
    internal bool Wide => _wide;

    public void Prepare(ushort[] source, byte* output, ushort[]? lut, in ChainConstants k)
    {
        _source = source;
        _output = output;
        _lut = lut ?? [];
        _k = k;
        if (_wide && lut is not null && !ReferenceEquals(lut, _gatherLutSource)) CopyForGather(lut);
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
        var prefix = _prefixes[band];
        int r = _k.BoxRadius;
        if (sharpen)
        {
            int entering, leaving;
            if (_nextRow[band] != y)
            {
                Array.Clear(columns);
                for (int dy = -r; dy <= r; dy++) AddRow(columns, Math.Clamp(y + dy, 0, _height - 1));
                // Adding and removing the same row leaves the sums as they are and still builds the prefix.
                entering = leaving = y;
            }
            else
            {
                entering = Math.Min(y + r, _height - 1);
                leaving = Math.Max(y - r - 1, 0);
            }
            ref ushort source = ref _source[0];
            ref ushort enter = ref Unsafe.Add(ref source, entering * _width);
            ref ushort leave = ref Unsafe.Add(ref source, leaving * _width);
            if (_wide) BoxPrefix.Slide512(columns, prefix, ref enter, ref leave, _width, r);
            else BoxPrefix.Slide256(columns, prefix, ref enter, ref leave, _width, r);
        }
        _nextRow[band] = y + 1;
        if (_k.Format == OutputFormat.Gray8)
        {
            if (_wide) Gray8Row512(y, prefix, sharpen);
            else Gray8Row256(y, prefix, sharpen);
        }
        else if (_wide) Lut16Row512(y, prefix, sharpen);
        else Lut16Row256(y, prefix, sharpen);
    }

    private void AddRow(int[] columns, int row)
    {
        ref ushort src = ref _source[row * _width];
        ref int dst = ref columns[0];
        for (int x = 0; x < _width; x += 16)
        {
            var v = Vector256.LoadUnsafe(ref src, (nuint)x);
            (Vector256.LoadUnsafe(ref dst, (nuint)x) + Vector256.WidenLower(v).AsInt32()).StoreUnsafe(ref dst, (nuint)x);
            (Vector256.LoadUnsafe(ref dst, (nuint)(x + 8)) + Vector256.WidenUpper(v).AsInt32()).StoreUnsafe(ref dst, (nuint)(x + 8));
        }
    }

    // The box sum centred on x is prefix[x + taps] - prefix[x] (see BoxPrefix); the float operations and their
    // order are display.cl's: blur = box * (1 / area), v = x + gain * (x - blur).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<float> Enhanced(Vector512<float> x, ref int prefix, int offset, int taps, bool sharpen)
    {
        if (!sharpen) return x;
        var box = Vector512.LoadUnsafe(ref prefix, (nuint)(offset + taps)) - Vector512.LoadUnsafe(ref prefix, (nuint)offset);
        var blur = Vector512.ConvertToSingle(box) * Vector512.Create(_k.InverseBoxArea);
        return x + Vector512.Create(_k.UnsharpGain) * (x - blur);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> Enhanced(Vector256<float> x, ref int prefix, int offset, int taps, bool sharpen)
    {
        if (!sharpen) return x;
        var box = Vector256.LoadUnsafe(ref prefix, (nuint)(offset + taps)) - Vector256.LoadUnsafe(ref prefix, (nuint)offset);
        var blur = Vector256.ConvertToSingle(box) * Vector256.Create(_k.InverseBoxArea);
        return x + Vector256.Create(_k.UnsharpGain) * (x - blur);
    }

    // 16 pixels per step: 16 words widen to one 512-bit vector of ints, which narrows to 16 bytes in one instruction.
    // The values are finite, so the native min/max (one instruction each) give what the IEEE ones (with fix-ups
    // for NaN and the sign of zero) and display.cl's fmin/fmax give.
    private void Gray8Row512(int y, int[] prefix, bool sharpen)
    {
        ref ushort src = ref _source[y * _width];
        byte* dst = _output + (long)y * _width;
        ref int q = ref prefix[0];
        int taps = 2 * _k.BoxRadius + 1;
        var low = Vector512.Create(_k.WindowLow);
        var scale = Vector512.Create(_k.WindowScale);
        var top = Vector512.Create(255f);
        var half = Vector512.Create(0.5f);
        for (int x = 0; x < _width; x += 16)
        {
            var v = Vector512.ConvertToSingle(Avx512F.ConvertToVector512Int32(Vector256.LoadUnsafe(ref src, (nuint)x)));
            var e = Enhanced(v, ref q, x, taps, sharpen);
            var i = Vector512.ConvertToInt32Native(Vector512.MinNative(Vector512.MaxNative((e - low) * scale, Vector512<float>.Zero), top) + half);
            Avx512F.ConvertToVector128Byte(i).Store(dst + x);
        }
    }

    private void Gray8Row256(int y, int[] prefix, bool sharpen)
    {
        ref ushort src = ref _source[y * _width];
        byte* dst = _output + (long)y * _width;
        ref int q = ref prefix[0];
        int taps = 2 * _k.BoxRadius + 1;
        var low = Vector256.Create(_k.WindowLow);
        var scale = Vector256.Create(_k.WindowScale);
        var top = Vector256.Create(255f);
        var half = Vector256.Create(0.5f);
        for (int x = 0; x < _width; x += 16)
        {
            var v = Vector256.LoadUnsafe(ref src, (nuint)x);
            var e0 = Enhanced(Vector256.ConvertToSingle(Vector256.WidenLower(v).AsInt32()), ref q, x, taps, sharpen);
            var e1 = Enhanced(Vector256.ConvertToSingle(Vector256.WidenUpper(v).AsInt32()), ref q, x + 8, taps, sharpen);
            var i0 = Vector256.ConvertToInt32Native(Vector256.MinNative(Vector256.MaxNative((e0 - low) * scale, Vector256<float>.Zero), top) + half);
            var i1 = Vector256.ConvertToInt32Native(Vector256.MinNative(Vector256.MaxNative((e1 - low) * scale, Vector256<float>.Zero), top) + half);
            var words = Vector256.Narrow(i0.AsUInt32(), i1.AsUInt32());
            Vector128.Narrow(words.GetLower(), words.GetUpper()).Store(dst + x);
        }
    }

    // A 32-bit gather at entry i also reads entry i + 1, one past the end for i = 65535: the 512-bit path looks up
    // a copy with a spare entry. The copy is made when the table changes, as the OpenCL path uploads it then.
    private void CopyForGather(ushort[] lut)
    {
        if (_gatherLut.Length != lut.Length + 1) _gatherLut = new ushort[lut.Length + 1];
        lut.CopyTo(_gatherLut, 0);
        _gatherLutSource = lut;
    }

    // Two 8-lane gathers (there is no 512-bit gather intrinsic); the narrowing keeps each lane's low 16 bits, the entry itself.
    private void Lut16Row512(int y, int[] prefix, bool sharpen)
    {
        ref ushort src = ref _source[y * _width];
        ushort* dst = (ushort*)_output + (long)y * _width;
        ref int q = ref prefix[0];
        int taps = 2 * _k.BoxRadius + 1;
        var top = Vector512.Create(65535f);
        var half = Vector512.Create(0.5f);
        fixed (ushort* table = _gatherLut)
        {
            for (int x = 0; x < _width; x += 16)
            {
                var v = Vector512.ConvertToSingle(Avx512F.ConvertToVector512Int32(Vector256.LoadUnsafe(ref src, (nuint)x)));
                var e = Enhanced(v, ref q, x, taps, sharpen);
                var index = Vector512.ConvertToInt32Native(Vector512.MinNative(Vector512.MaxNative(e, Vector512<float>.Zero), top) + half);
                var entries = Vector512.Create(Avx2.GatherVector256((int*)table, index.GetLower(), 2), Avx2.GatherVector256((int*)table, index.GetUpper(), 2));
                Avx512F.ConvertToVector256UInt16(entries.AsUInt32()).Store(dst + x);
            }
        }
    }

    private void Lut16Row256(int y, int[] prefix, bool sharpen)
    {
        ref ushort src = ref _source[y * _width];
        ushort* dst = (ushort*)_output + (long)y * _width;
        ref int q = ref prefix[0];
        int taps = 2 * _k.BoxRadius + 1;
        var top = Vector256.Create(65535f);
        var half = Vector256.Create(0.5f);
        ref ushort lut = ref _lut[0];
        int* lanes = stackalloc int[16];
        for (int x = 0; x < _width; x += 16)
        {
            var v = Vector256.LoadUnsafe(ref src, (nuint)x);
            var e0 = Enhanced(Vector256.ConvertToSingle(Vector256.WidenLower(v).AsInt32()), ref q, x, taps, sharpen);
            var e1 = Enhanced(Vector256.ConvertToSingle(Vector256.WidenUpper(v).AsInt32()), ref q, x + 8, taps, sharpen);
            Vector256.ConvertToInt32Native(Vector256.MinNative(Vector256.MaxNative(e0, Vector256<float>.Zero), top) + half).Store(lanes);
            Vector256.ConvertToInt32Native(Vector256.MinNative(Vector256.MaxNative(e1, Vector256<float>.Zero), top) + half).Store(lanes + 8);
            for (int j = 0; j < 16; j++) dst[x + j] = Unsafe.Add(ref lut, lanes[j]);
        }
    }
}
