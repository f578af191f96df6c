using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CathLab.Processing.Display;
using CathLab.Processing.Pipeline;

namespace CathLab.Processing.Cpu;

/// <summary>Unsharp mask fused with window/level (or the 16-bit LUT): one streaming pass per band that
/// keeps running column sums over the box's rows, so each source row is read once entering the box and
/// once leaving it. Integer box sums make the blur exact; the rest mirrors Kernels/display.cl.
/// <para>The horizontal box sum is a difference of running sums along the row (<see cref="BoxPrefix"/>),
/// so its cost does not grow with the kernel size. 512-bit vectors where the CPU has them, with even and odd
/// columns kept apart (<see cref="PairedBoxPrefix"/>), else 256-bit in column order; both give the same bytes.</para></summary>
internal sealed unsafe class DisplayPass : BandJob
{
    private readonly int _width;
    private readonly int _height;
    private readonly bool _wide;
    private readonly int[][] _columnSums;
    private readonly int[][] _prefixes;
    private readonly int[] _nextRow;
    private readonly int[] _columnStart;
    private readonly int[] _prefixStart;
    private ushort[] _source = [];
    private byte* _output;
    private ushort[] _lut = [];
    private ushort[] _gatherLut = [];
    private ushort[]? _gatherLutSource;
    private ChainConstants _k;
    private bool _packedClamp;

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
        _columnStart = new int[bands];
        _prefixStart = new int[bands];
        for (int b = 0; b < bands; b++)
        {
            if (wide)
            {
                // Pinned, so the 64-byte steps can start on cache lines (PairedBoxPrefix.Start).
                _columnSums[b] = GC.AllocateArray<int>(width + 16, pinned: true);
                _columnStart[b] = LineStart(_columnSums[b]);
                _prefixes[b] = GC.AllocateArray<int>(PairedBoxPrefix.Length(width), pinned: true);
            }
            else
            {
                _columnSums[b] = new int[width];
                _prefixes[b] = new int[BoxPrefix.Length(width)];
            }
        }
    }

    // The first index of a pinned int array at a cache line's start.
    private static unsafe int LineStart(int[] pinned) => (int)((64 - ((long)Unsafe.AsPointer(ref pinned[0]) & 63)) & 63) / 4;

    /// <summary>Whether this pass runs 512-bit vectors.</summary>
    internal bool Wide => _wide;

    public void Prepare(ushort[] source, byte* output, ushort[]? lut, in ChainConstants k)
    {
        // The lookups index the table unchecked (gathers): a short one would be read past its end.
        if (k.Format == OutputFormat.Lut16 && lut is not { Length: 65536 })
            throw new ArgumentException($"the 16-bit output needs a 65536-entry LUT, got {(lut is null ? "none" : $"{lut.Length} entries")}", nameof(lut));
        _source = source;
        _output = output;
        _lut = lut ?? [];
        _k = k;
        if (_wide && lut is not null && !ReferenceEquals(lut, _gatherLutSource)) CopyForGather(lut);
        if (_wide) for (int b = 0; b < _prefixes.Length; b++) _prefixStart[b] = PairedBoxPrefix.Start(_prefixes[b], k.BoxRadius);
        _packedClamp = _wide && Avx512Vbmi.IsSupported && WindowedInIntRange(k);
        Array.Fill(_nextRow, -1);
    }

    /// <summary>Rows of the source above and below a display row that the display row reads.</summary>
    public int Reach => _k.UnsharpGain != 0f ? _k.BoxRadius : 0;

    /// <summary>Whether (v - low) * scale stays well inside int range for every v the unsharp mask can give
    /// (|v| at most 65535 (1 + |gain|), the blur being an average of 16-bit values), so that the truncating
    /// convert of it plus 1/2 is exact and integer saturation can do the clamp to [0, 255]. With the settings'
    /// limits (gain at most 8, |low| at most 131072, scale at most 255) it is below 2^28.</summary>
    private static bool WindowedInIntRange(in ChainConstants k)
    {
        double v = 65536.0 * (1 + Math.Abs((double)k.UnsharpGain)) * 1.001;
        return (v + Math.Abs((double)k.WindowLow)) * Math.Abs((double)k.WindowScale) < (1 << 30);
    }

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
        var pairedColumns = _wide ? columns.AsSpan(_columnStart[band], _width) : default;
        var pairedPrefix = _wide ? prefix.AsSpan(_prefixStart[band]) : default;
        int r = _k.BoxRadius;
        if (sharpen)
        {
            int entering, leaving;
            if (_nextRow[band] != y)
            {
                Array.Clear(columns);
                for (int dy = -r; dy <= r; dy++)
                {
                    int row = Math.Clamp(y + dy, 0, _height - 1);
                    if (_wide) PairedBoxPrefix.AddRow(pairedColumns, ref _source[row * _width], _width);
                    else BoxPrefix.AddRow(columns, ref _source[row * _width], _width);
                }
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
            if (_wide) PairedBoxPrefix.Slide(pairedColumns, pairedPrefix, ref enter, ref leave, _width, r);
            else BoxPrefix.Slide(columns, prefix, ref enter, ref leave, _width, r);
        }
        _nextRow[band] = y + 1;
        if (_k.Format == OutputFormat.Gray8)
        {
            if (_wide) Gray8Row512(y, pairedPrefix, sharpen);
            else Gray8Row256(y, prefix, sharpen);
        }
        else if (_wide) Lut16Row512(y, pairedPrefix, sharpen);
        else Lut16Row256(y, prefix, sharpen);
    }

    // The box sum is ahead[i] - behind[i] (see BoxPrefix, PairedBoxPrefix); the float operations and their order
    // are display.cl's: blur = box * (1 / area), v = x + gain * (x - blur).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<float> Enhanced(Vector512<float> x, ref int ahead, ref int behind, nuint i, bool sharpen)
    {
        if (!sharpen) return x;
        var box = Vector512.LoadUnsafe(ref ahead, i) - Vector512.LoadUnsafe(ref behind, i);
        var blur = Vector512.ConvertToSingle(box) * Vector512.Create(_k.InverseBoxArea);
        return x + Vector512.Create(_k.UnsharpGain) * (x - blur);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> Enhanced(Vector256<float> x, ref int ahead, ref int behind, nuint i, bool sharpen)
    {
        if (!sharpen) return x;
        var box = Vector256.LoadUnsafe(ref ahead, i) - Vector256.LoadUnsafe(ref behind, i);
        var blur = Vector256.ConvertToSingle(box) * Vector256.Create(_k.InverseBoxArea);
        return x + Vector256.Create(_k.UnsharpGain) * (x - blur);
    }

    // The values are finite, so the native min/max (one instruction each) give what the IEEE ones (with fix-ups
    // for NaN and the sign of zero) and display.cl's fmin/fmax give.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<int> Window(Vector512<float> v) =>
        Vector512.ConvertToInt32Native(Vector512.MinNative(Vector512.MaxNative((v - Vector512.Create(_k.WindowLow)) * Vector512.Create(_k.WindowScale), Vector512<float>.Zero), Vector512.Create(255f)) + Vector512.Create(0.5f));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> Window(Vector256<float> v) =>
        Vector256.ConvertToInt32Native(Vector256.MinNative(Vector256.MaxNative((v - Vector256.Create(_k.WindowLow)) * Vector256.Create(_k.WindowScale), Vector256<float>.Zero), Vector256.Create(255f)) + Vector256.Create(0.5f));

    /// <summary><see cref="Window(Vector512{float})"/> without the float clamps: trunc((v - low) scale + 1/2)
    /// clamped to [0, 255] afterwards is the same integer (below 0 it truncates to at most 0, above 255 to at
    /// least 255) as long as it is in int range (<see cref="WindowedInIntRange"/>); the saturating packs clamp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<int> WindowUnclamped(Vector512<float> v) =>
        Vector512.ConvertToInt32Native((v - Vector512.Create(_k.WindowLow)) * Vector512.Create(_k.WindowScale) + Vector512.Create(0.5f));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> LutIndex(Vector512<float> v) =>
        Vector512.ConvertToInt32Native(Vector512.MinNative(Vector512.MaxNative(v, Vector512<float>.Zero), Vector512.Create(65535f)) + Vector512.Create(0.5f));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> LutIndex(Vector256<float> v) =>
        Vector256.ConvertToInt32Native(Vector256.MinNative(Vector256.MaxNative(v, Vector256<float>.Zero), Vector256.Create(65535f)) + Vector256.Create(0.5f));

    // 32 pixels per step in PairedBoxPrefix's layout: each 32-bit word holds an even pixel (low half) and the odd
    // one after it; the two results go back into one word, even byte first, and 16 words narrow in one instruction.
    private void Gray8Row512(int y, Span<int> prefix, bool sharpen)
    {
        int half = _width / 2, r = _k.BoxRadius;
        ref uint src = ref Unsafe.As<ushort, uint>(ref _source[y * _width]);
        ushort* dst = (ushort*)(_output + (long)y * _width);
        ref int evenSums = ref prefix[0];
        ref int oddSums = ref prefix[PairedBoxPrefix.Stride(_width, r)];
        ref int evenAhead = ref Unsafe.Add(ref oddSums, r);
        ref int oddAhead = ref Unsafe.Add(ref evenSums, r + 1);
        nuint j = 0;
        if (_packedClamp)
        {
            var order = Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(PackedOrder));
            for (; j + 32 <= (nuint)half; j += 32)
                Gray8Pair512(ref src, (byte*)dst, j, ref evenAhead, ref evenSums, ref oddAhead, ref oddSums, sharpen, order);
        }
        // Two steps a turn: about 5% faster on Zen 5 than one (more independent work in flight).
        for (; j + 32 <= (nuint)half; j += 32)
        {
            Gray8Step512(ref src, dst, j, ref evenAhead, ref evenSums, ref oddAhead, ref oddSums, sharpen);
            Gray8Step512(ref src, dst, j + 16, ref evenAhead, ref evenSums, ref oddAhead, ref oddSums, sharpen);
        }
        for (; j + 16 <= (nuint)half; j += 16) Gray8Step512(ref src, dst, j, ref evenAhead, ref evenSums, ref oddAhead, ref oddSums, sharpen);
        if (j < (nuint)half)
        {
            var w = Vector256.LoadUnsafe(ref src, j);
            var even = Window(Enhanced(Vector256.ConvertToSingle((w & Vector256.Create(0xFFFFu)).AsInt32()), ref evenAhead, ref evenSums, j, sharpen));
            var odd = Window(Enhanced(Vector256.ConvertToSingle((w >>> 16).AsInt32()), ref oddAhead, ref oddSums, j, sharpen));
            var words = (even | (odd << 8)).AsUInt32();
            Vector128.Narrow(words.GetLower(), words.GetUpper()).Store(dst + j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Gray8Step512(ref uint src, ushort* dst, nuint j, ref int evenAhead, ref int evenSums, ref int oddAhead, ref int oddSums, bool sharpen)
    {
        var w = Vector512.LoadUnsafe(ref src, j);
        var even = Window(Enhanced(Vector512.ConvertToSingle((w & Vector512.Create(0xFFFFu)).AsInt32()), ref evenAhead, ref evenSums, j, sharpen));
        var odd = Window(Enhanced(Vector512.ConvertToSingle((w >>> 16).AsInt32()), ref oddAhead, ref oddSums, j, sharpen));
        Avx512F.ConvertToVector256UInt16((even | (odd << 8)).AsUInt32()).Store(dst + j);
    }

    /// <summary>64 pixels (words j to j + 32) with the clamp to [0, 255] done by saturating packs: 32-bit to
    /// signed 16-bit, then to unsigned 8-bit (in-lane, even and odd pixels still apart), and one byte permute
    /// back to pixel order (<see cref="PackedOrder"/>), in place of 8 float min/max, the merge of even and odd
    /// bytes and two narrowing stores.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Gray8Pair512(ref uint src, byte* dst, nuint j, ref int evenAhead, ref int evenSums, ref int oddAhead, ref int oddSums, bool sharpen, Vector512<byte> order)
    {
        var low = Vector512.Create(0xFFFFu);
        var w0 = Vector512.LoadUnsafe(ref src, j);
        var w1 = Vector512.LoadUnsafe(ref src, j + 16);
        var even0 = WindowUnclamped(Enhanced(Vector512.ConvertToSingle((w0 & low).AsInt32()), ref evenAhead, ref evenSums, j, sharpen));
        var odd0 = WindowUnclamped(Enhanced(Vector512.ConvertToSingle((w0 >>> 16).AsInt32()), ref oddAhead, ref oddSums, j, sharpen));
        var even1 = WindowUnclamped(Enhanced(Vector512.ConvertToSingle((w1 & low).AsInt32()), ref evenAhead, ref evenSums, j + 16, sharpen));
        var odd1 = WindowUnclamped(Enhanced(Vector512.ConvertToSingle((w1 >>> 16).AsInt32()), ref oddAhead, ref oddSums, j + 16, sharpen));
        var bytes = Avx512BW.PackUnsignedSaturate(Avx512BW.PackSignedSaturate(even0, odd0), Avx512BW.PackSignedSaturate(even1, odd1));
        Avx512Vbmi.PermuteVar64x8(bytes, order).Store(dst + 2 * j);
    }

    /// <summary>For output byte p of <see cref="Gray8Pair512"/>: the packs' byte holding it. Pixel q of the 32 from
    /// word j + 16 b is word m = q / 2, even or odd by q's parity; the packs leave in 128-bit lane m / 4, at 8 b +
    /// 4 parity + m % 4, the even and odd values of words j (b = 0) and j + 16 (b = 1).</summary>
    private static readonly byte[] PackedOrder = Enumerable.Range(0, 64).Select(p =>
    {
        int b = p / 32, q = p % 32, m = q / 2;
        return (byte)(16 * (m / 4) + 8 * b + 4 * (q % 2) + m % 4);
    }).ToArray();

    // BoxPrefix's layout: 16 pixels per step.
    private void Gray8Row256(int y, int[] prefix, bool sharpen)
    {
        ref ushort src = ref _source[y * _width];
        byte* dst = _output + (long)y * _width;
        ref int behind = ref prefix[0];
        ref int ahead = ref prefix[2 * _k.BoxRadius + 1];
        for (nuint x = 0; x < (nuint)_width; x += 16)
        {
            var v = Vector256.LoadUnsafe(ref src, x);
            var i0 = Window(Enhanced(Vector256.ConvertToSingle(Vector256.WidenLower(v).AsInt32()), ref ahead, ref behind, x, sharpen));
            var i1 = Window(Enhanced(Vector256.ConvertToSingle(Vector256.WidenUpper(v).AsInt32()), ref ahead, ref behind, x + 8, sharpen));
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

    // 8-lane gathers (there is no 512-bit gather intrinsic): each lane's low 16 bits are the entry.
    private static Vector512<uint> Gather(ushort* table, Vector512<int> index) =>
        Vector512.Create(Avx2.GatherVector256((int*)table, index.GetLower(), 2), Avx2.GatherVector256((int*)table, index.GetUpper(), 2)).AsUInt32();

    // PairedBoxPrefix's layout, 32 pixels per step: an even pixel's entry and the odd one's go back into one word.
    private void Lut16Row512(int y, Span<int> prefix, bool sharpen)
    {
        int half = _width / 2, r = _k.BoxRadius;
        ref uint src = ref Unsafe.As<ushort, uint>(ref _source[y * _width]);
        uint* dst = (uint*)((ushort*)_output + (long)y * _width);
        ref int evenSums = ref prefix[0];
        ref int oddSums = ref prefix[PairedBoxPrefix.Stride(_width, r)];
        ref int evenAhead = ref Unsafe.Add(ref oddSums, r);
        ref int oddAhead = ref Unsafe.Add(ref evenSums, r + 1);
        var mask = Vector512.Create(0xFFFFu);
        fixed (ushort* table = _gatherLut)
        {
            nuint j = 0;
            for (; j + 16 <= (nuint)half; j += 16)
            {
                var w = Vector512.LoadUnsafe(ref src, j);
                var even = LutIndex(Enhanced(Vector512.ConvertToSingle((w & mask).AsInt32()), ref evenAhead, ref evenSums, j, sharpen));
                var odd = LutIndex(Enhanced(Vector512.ConvertToSingle((w >>> 16).AsInt32()), ref oddAhead, ref oddSums, j, sharpen));
                ((Gather(table, even) & mask) | (Gather(table, odd) << 16)).Store(dst + j);
            }
            if (j < (nuint)half)
            {
                var w = Vector256.LoadUnsafe(ref src, j);
                var even = LutIndex(Enhanced(Vector256.ConvertToSingle((w & Vector256.Create(0xFFFFu)).AsInt32()), ref evenAhead, ref evenSums, j, sharpen));
                var odd = LutIndex(Enhanced(Vector256.ConvertToSingle((w >>> 16).AsInt32()), ref oddAhead, ref oddSums, j, sharpen));
                var evenEntries = Avx2.GatherVector256((int*)table, even, 2).AsUInt32() & Vector256.Create(0xFFFFu);
                var oddEntries = Avx2.GatherVector256((int*)table, odd, 2).AsUInt32() << 16;
                (evenEntries | oddEntries).Store(dst + j);
            }
        }
    }

    // BoxPrefix's layout; scalar lookups.
    private void Lut16Row256(int y, int[] prefix, bool sharpen)
    {
        ref ushort src = ref _source[y * _width];
        ushort* dst = (ushort*)_output + (long)y * _width;
        ref int behind = ref prefix[0];
        ref int ahead = ref prefix[2 * _k.BoxRadius + 1];
        ref ushort lut = ref _lut[0];
        int* lanes = stackalloc int[16];
        for (nuint x = 0; x < (nuint)_width; x += 16)
        {
            var v = Vector256.LoadUnsafe(ref src, x);
            LutIndex(Enhanced(Vector256.ConvertToSingle(Vector256.WidenLower(v).AsInt32()), ref ahead, ref behind, x, sharpen)).Store(lanes);
            LutIndex(Enhanced(Vector256.ConvertToSingle(Vector256.WidenUpper(v).AsInt32()), ref ahead, ref behind, x + 8, sharpen)).Store(lanes + 8);
            for (int j = 0; j < 16; j++) dst[(int)x + j] = Unsafe.Add(ref lut, lanes[j]);
        }
    }
}
